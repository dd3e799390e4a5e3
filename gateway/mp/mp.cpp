#include "gateway/mp/mp.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::mp {

void answer_json(exchange& x, boost::beast::http::status status, const json& body) {
    x.answer(status, views::json_text(body), "application/json; charset=utf-8");
}

void answer_outcome(exchange& x, outcome& o) {
    if (o.refused) return refuse(x, *o.refused, o.vars, o.retry_after);
    answer_json(x, boost::beast::http::status::ok, o.body);
}

outcome in_one_unit(adapters::db::store& s,
                    const std::function<outcome(dialog::unit_of_work&)>& fn) {
    outcome out;
    s.run([&](dialog::unit_of_work& uow) { out = fn(uow); });
    return out;
}

}  // namespace minsheng::gateway::mp
