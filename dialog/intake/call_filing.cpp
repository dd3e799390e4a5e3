#include "dialog/intake/call_filing.hpp"

#include <nlohmann/json.hpp>

#include "dialog/intake/filing.hpp"
#include "dialog/intake/same_problem.hpp"

namespace minsheng::dialog::intake {

namespace {

// The first specific address said anywhere in the call, for appeals that did not repeat it.
std::string address_in_call(const std::vector<call_appeal>& appeals) {
    for (const auto& a : appeals)
        if (const auto* e = a.understood.find("address")) return e->text;
    return "";
}

}  // namespace

const std::vector<std::string>& required_templates() {
    static const std::vector<std::string> keys = {
        "hotline/case_opened",   "hotline/category_unknown", "hotline/case_joined",
        "hotline/joined_answer", "hotline/case_split",       "hotline/split_answer",
        "notify/follower_split", "hotline/case_repeated",    "hotline/repeated_answer"};
    return keys;
}

std::vector<case_record> file_call(const cases::case_service& service,
                                   const template_set& templates, unit_of_work& uow,
                                   const call_report& call, std::int64_t now,
                                   const nlu::engine* engine, std::vector<std::int64_t>* joined,
                                   sketch_cache* sketches, std::vector<std::int64_t>* repeated) {
    std::vector<case_record> opened;
    const std::string fallback_address = address_in_call(call.appeals);
    for (std::size_t i = 0; i < call.appeals.size(); ++i) {
        const auto& a = call.appeals[i];
        report r;
        r.from = channel::hotline;
        r.reporter_id = call.caller_phone;
        r.description = a.text;
        r.phone = call.caller_phone;
        r.fallback_category = call.operator_category;
        r.fallback_address = fallback_address;
        r.source_key = call.dedup_key + "#" + std::to_string(i + 1);
        r.source_ref = call.system + ":" + call.call_id;
        r.source_span = i < call.spans.size() ? call.spans[i] : "";
        if (engine) r.place = place_of(*engine, a.text, fallback_address, &a.understood);
        const person_ref caller{channel::hotline, call.caller_phone};
        // The caller's notification about case `c`, in place of a new case's.
        const auto tell = [&](const std::string& key, const case_record& c) {
            const auto status = cases::case_service::status_label(templates, c);
            notification note;
            note.audience = "resident";
            note.to = caller;
            note.template_key = key;
            note.vars_json = nlohmann::json{{"number", c.number}}.dump();
            note.text = templates.render(key, {{"number", c.number}, {"status", status}});
            note.case_id = c.id;
            note.idempotency_key = "hotline:" + r.source_key;
            note.created_at = now;
            uow.enqueue(note);
        };
        if (engine) {
            const auto d = draft_of(r, &a.understood, now);
            // Told again by the caller: their own case takes the call's words as a detail.
            if (auto before = reported_before(*engine, uow, cases::duplicate_policy{}, d, now,
                                              sketches, &a.understood);
                before &&
                (before->following ||
                 service.add_detail(uow, before->c.id, cases::actor::of(caller), a.text, now)
                     .ok())) {
                tell("hotline/case_repeated", before->c);
                if (repeated) repeated->push_back(before->c.id);
                opened.push_back(std::move(before->c));
                continue;
            }
            if (auto same = same_problem(*engine, uow, cases::duplicate_policy{}, d, now, sketches,
                                         &a.understood);
                same && follow(uow, *same, caller, "hotline", now, followed_report{d, {}})) {
                tell("hotline/case_joined", *same);
                if (joined) joined->push_back(same->id);
                opened.push_back(std::move(*same));
                continue;
            }
        }
        auto rec = file(service, uow, r, &a.understood, a.understood.normalised, now);

        notification note;
        note.audience = "resident";
        note.to = caller;
        note.template_key = "hotline/case_opened";
        note.vars_json = nlohmann::json{{"number", rec.number}}.dump();
        note.text = templates.render(
            "hotline/case_opened",
            {{"number", rec.number},
             {"category",
              rec.category.empty() ? templates.render("hotline/category_unknown") : rec.category}});
        note.case_id = rec.id;
        note.idempotency_key = "hotline:" + r.source_key;
        note.created_at = now;
        uow.enqueue(note);
        opened.push_back(std::move(rec));
    }
    return opened;
}

}  // namespace minsheng::dialog::intake
