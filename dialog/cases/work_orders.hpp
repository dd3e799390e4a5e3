#pragma once
// Work orders (工单) for grid workers (网格员): a case assigned to a worker is their order. The
// worker, bound on the official account (绑定工号), answers it step by step — 接单 (accept),
// 到场 (arrived, with their location), 处理中 (a progress note, photos), 办结 (done, with the
// result the resident reads), 退回 (back to the community's queue, with a reason). Each step is a
// case event; the resident hears acceptance, arrival (in progress) and the result. Only the
// order's assignee, an active worker, may act on it: anyone else is refused and nothing is
// written. The steps are case_service members (work_orders.cpp); these are their plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialog/ports.hpp"

namespace minsheng::dialog::cases {

enum class order_step {
    accept,     // 接单: assigned, not yet accepted → an order_accepted event; the resident told
    arrive,     // 到场: needs the worker's location → start (in progress); the resident told.
                // Without one (needs_location) nothing is written: the caller asks for it.
    progress,   // 处理中: needs a note → an order_progress event (assigned orders start first)
    photo,      // a photo (media id or URL in `text`) of an order in progress → order_photo
    done,       // 办结: needs the result → report_done; the resident reads the result
    give_back,  // 退回: needs a reason → accepted, unassigned; the community's workers told
};

// What became of a step.
enum class order_outcome {
    done,
    not_found,       // no case with that number
    not_yours,       // the speaker is not an active worker assigned this case
    wrong_status,    // the order is past this step (done, closed, ...) or not yet at it
    needs_text,      // progress, done, give_back without their note / result / reason
    needs_location,  // arrive without a valid location
};

struct order_result {
    order_outcome what = order_outcome::not_found;
    case_record after;  // the order after the step; as found when refused (id 0 if not found)
};

// The statuses in which a case is an open order of its assignee.
const std::vector<std::string>& open_order_statuses();

}  // namespace minsheng::dialog::cases
