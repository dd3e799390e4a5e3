#pragma once
// The conversation: turns one inbound message (plus its understanding) into a reply and domain
// changes, reading and writing through a unit_of_work. Holds only immutable shared state:
// share freely; each step() runs inside the caller's transaction.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
    // Throws std::runtime_error at start-up if a template it needs is missing.
    explicit conversation(std::shared_ptr<const template_set> templates);

    // Every template key step() may render.
    static const std::vector<std::string>& required_templates();

    // `understood` is the NLU result for text-bearing messages (nullptr otherwise); it is computed
    // outside the transaction so the writer does no NLU work. Throws only what the store throws.
    step_outcome step(const inbound_message& message, const nlu::understanding* understood,
                      unit_of_work& uow, std::int64_t now) const;

    // How long an unfinished appeal waits for its missing detail before it is dropped.
    static constexpr std::int64_t pending_ttl_seconds = 30 * 60;

private:
    std::shared_ptr<const template_set> templates_;
};

}  // namespace minsheng::dialog
