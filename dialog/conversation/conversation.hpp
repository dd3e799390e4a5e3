#pragma once
// The conversation: turns one inbound message (plus its understanding) into a reply and domain
// changes, reading and writing through a unit_of_work. Residents file appeals (asking for what is
// missing), add details, follow, cancel, confirm and rate their cases; volunteers register, read
// the wish wall (nearest first when they send a location), claim and handle wishes and see their
// points; residents propose and vote on
// 微实事. Explicit command forms ("认领 WX…", "5分", "投票 YS…") are recognised on the normalised
// text before the intent model is consulted. At most one pending question per person is kept in
// the store's conversation state. Holds only immutable shared state: share freely; each step()
// runs inside the caller's transaction.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialog/cases/duplicates.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/intake/call_appeals.hpp"
#include "dialog/intake/certificates.hpp"
#include "dialog/intake/sketch_cache.hpp"
#include "dialog/message.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog {

struct step_outcome {
    reply answer;
    std::vector<case_record> opened;  // cases this message opened
};

class conversation {
public:
    // Throws std::runtime_error at start-up if a template it needs (or the service needs) is
    // missing. Every change to cases, volunteers, points and proposals goes through `service`.
    // `certificates`: the city's certificate list (证明事项), answered without a case; nullptr
    // for none (such requests are then filed like any consultation).
    // With an `engine`, a complaint that is the same problem as an open case (`duplicates`,
    // dialog/cases/duplicates.hpp) makes the resident a follower of that case instead of opening
    // another; "不是同一个问题" right after opens their own.
    conversation(std::shared_ptr<const template_set> templates,
                 std::shared_ptr<const cases::case_service> service,
                 std::shared_ptr<const intake::certificate_catalogue> certificates = nullptr,
                 std::shared_ptr<const nlu::engine> engine = nullptr,
                 cases::duplicate_policy duplicates = {});

    // Every template key step() may render.
    static const std::vector<std::string>& required_templates();

    // `understood` is the NLU result for text-bearing messages (nullptr otherwise); it is computed
    // outside the transaction so the writer does no NLU work. `problems`, when given, is
    // intake::find_appeals of a long text message (also computed outside): two or more open one
    // case each when every one of them has what it needs. Throws only what the store throws.
    step_outcome step(const inbound_message& message, const nlu::understanding* understood,
                      unit_of_work& uow, std::int64_t now,
                      const std::vector<intake::call_appeal>* problems = nullptr) const;

    // How long a pending question (an appeal's missing detail, a read-back, "确定撤销……吗？", a
    // rating, a registration's community or skills, the location "附近心愿" asks for) waits for
    // its answer before it is dropped.
    static constexpr std::int64_t pending_ttl_seconds = 30 * 60;

    // The cache of open cases' sketches its duplicate search keeps; the other channels' filings
    // share it (they search the same open cases).
    std::shared_ptr<intake::sketch_cache> sketches() const { return sketches_; }

private:
    std::shared_ptr<const template_set> templates_;
    std::shared_ptr<const cases::case_service> service_;
    std::shared_ptr<const intake::certificate_catalogue> certificates_;
    std::shared_ptr<const nlu::engine> engine_;  // null: no search for duplicates
    cases::duplicate_policy duplicates_;
    // Open cases' sketches for the duplicate search, kept across messages (thread-safe).
    std::shared_ptr<intake::sketch_cache> sketches_ = std::make_shared<intake::sketch_cache>();
};

}  // namespace minsheng::dialog
