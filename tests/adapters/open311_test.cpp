// The Open311 adapter without HTTP: POST and GET requests parsed, cases read as services and
// records, and the documents rendered in XML and JSON.

#include "adapters/open311/catalogue.hpp"
#include "adapters/open311/document.hpp"
#include "adapters/open311/post_request.hpp"
#include "adapters/open311/records.hpp"
#include "adapters/open311/request_filter.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "adapters/http/query_string.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/utf8.hpp"

using namespace minsheng;
using namespace minsheng::adapters::open311;
using adapters::http::query_params;
using json = nlohmann::json;

namespace {

constexpr std::string_view form = "application/x-www-form-urlencoded";
constexpr std::string_view token = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t now = 1770948000;  // 2026-02-13T10:00:00+08:00

query_params streetlight() {
    return {{"api_key", "open311-test-key-0123456789"},
            {"jurisdiction_id", "minsheng.test"},
            {"service_code", "construction"},
            {"lat", "22.543216"},
            {"long", "114.056789"},
            {"address_string", "东城社区幸福路12号"},
            {"description", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑。"},
            {"phone", "+86 138-0013-8000"},
            {"first_name", "三"},
            {"last_name", "张"},
            {"account_id", "acc-1"},
            {"media_url", "https://img.example/streetlight.jpg"}};
}

// The streetlight request with some fields changed; "" removes a field.
query_params with(const std::map<std::string, std::string>& changes) {
    auto fields = streetlight();
    for (const auto& [k, v] : changes) {
        if (v.empty())
            fields.erase(k);
        else
            fields[k] = v;
    }
    return fields;
}

post_request parsed(std::string_view type, std::string_view body) {
    auto r = parse_post(type, body);
    if (auto* p = std::get_if<problem>(&r)) FAIL("refused: " << p->description);
    return std::get<post_request>(std::move(r));
}

// Why the body is refused; "" when it is accepted.
std::string refusal(std::string_view type, std::string_view body) {
    auto r = parse_post(type, body);
    auto* p = std::get_if<problem>(&r);
    if (!p) return "";
    CHECK(p->status == 400);
    return p->description;
}
std::string refusal(const query_params& fields) {
    return refusal(form, adapters::http::encode_query(fields));
}

request_filter filter(const query_params& q) {
    auto r = parse_filter(q, now);
    if (auto* p = std::get_if<problem>(&r)) FAIL("refused: " << p->description);
    return std::get<request_filter>(std::move(r));
}

problem filter_problem(const query_params& q) {
    auto r = parse_filter(q, now);
    auto* p = std::get_if<problem>(&r);
    REQUIRE(p);
    return *p;
}

std::vector<std::string> names_of(const record& r) {
    std::vector<std::string> out;
    for (const auto& f : r) out.push_back(f.name);
    return out;
}

const json& value_of(const record& r, std::string_view name) {
    for (const auto& f : r)
        if (f.name == name) return f.value;
    FAIL("no field " << name);
    static const json none;
    return none;
}

std::shared_ptr<const dialog::template_set> texts() {
    static const auto t =
        dialog::template_set::load(std::string(MINSHENG_SOURCE_DIR) + "/templates");
    return t;
}

}  // namespace

TEST_CASE("a form request is parsed and normalised", "[adapters][open311]") {
    auto r = parsed(form, adapters::http::encode_query(streetlight()));
    CHECK(r.service_code == "construction");
    CHECK(r.jurisdiction_id == "minsheng.test");
    CHECK(r.phone == "13800138000");
    REQUIRE(r.location);
    CHECK(r.location->lat == Approx(22.543216));
    CHECK(r.location->lng == Approx(114.056789));
    CHECK(r.address_string == "东城社区幸福路12号");
    CHECK(r.account_id == "acc-1");
    CHECK(r.media_url == "https://img.example/streetlight.jpg");
    // No content type is taken as a form too.
    CHECK(parsed("", adapters::http::encode_query(streetlight())).service_code == "construction");
}

TEST_CASE("a JSON request may give lat and long as numbers", "[adapters][open311]") {
    json body{{"api_key", "k"},
              {"service_code", "wish"},
              {"lat", 22.5},
              {"long", 114.05},
              {"description", "希望有志愿者陪老人买菜。"},
              {"email", nullptr}};
    auto r = parsed("Application/JSON; charset=utf-8", body.dump());
    REQUIRE(r.location);
    CHECK(r.location->lat == Approx(22.5));
    CHECK(r.location->lng == Approx(114.05));
    CHECK(r.email.empty());

    body["description"] = true;
    CHECK(refusal("application/json", body.dump()) == "description must be a string or a number");
    CHECK(refusal("application/json", "[1,2]") == "the JSON body must be an object");
    CHECK(refusal("application/json", "{") == "the JSON body must be an object");
}

TEST_CASE("a request missing or misshaping a field is refused with the reason",
          "[adapters][open311]") {
    CHECK(refusal(streetlight()).empty());
    CHECK(refusal(with({{"service_code", ""}})) == "service_code is required");
    CHECK(refusal(with({{"lat", ""}, {"long", ""}, {"address_string", ""}})) ==
          "a location is required: lat and long, address_string or address_id");
    CHECK(refusal(with({{"lat", ""}, {"long", ""}, {"address_string", ""}, {"address_id", "A7"}}))
              .empty());
    CHECK(refusal(with({{"long", ""}})).starts_with("lat and long must both be decimal degrees"));
    CHECK(refusal(with({{"lat", "95"}})).starts_with("lat and long must both be decimal degrees"));
    CHECK(refusal(with({{"lat", "22.5abc"}})).starts_with("lat and long"));
    CHECK(refusal(with({{"description", " \n "}})) == "description is required");
    CHECK(refusal(with({{"description", std::string(4001, 'a')}})) ==
          "description is longer than 4000 characters");
    std::string chinese;
    for (int i = 0; i < 4000; ++i) chinese += "灯";
    CHECK(refusal(with({{"description", chinese}})).empty());
    CHECK(refusal(with({{"description", "第一行\n第二行\t完"}})).empty());
    CHECK(refusal(with({{"first_name", "a\x01"}})) ==
          "first_name must not contain control characters");
    CHECK(refusal(with({{"address_id", std::string(257, 'x')}})) ==
          "address_id is longer than 256 bytes");
    CHECK(refusal(with({{"phone", "call me"}})) == "phone must be a phone number");
    CHECK(refusal(with({{"email", "nobody"}})) == "email must be an e-mail address");
    CHECK(refusal(with({{"media_url", "javascript:alert(1)"}})) ==
          "media_url must be an http or https URL");
    CHECK(refusal("text/xml", "<xml/>") == "the body must be application/x-www-form-urlencoded");
    CHECK(refusal(form, "api_key=%zz") == "the form has a bad escape or a repeated field");
    CHECK(refusal(form, "a=1&a=2") == "the form has a bad escape or a repeated field");
}

TEST_CASE("a description cut at any byte is accepted only when it is whole UTF-8",
          "[adapters][open311]") {
    const std::string words = "路灯坏了，晚上很黑。";
    for (std::size_t cut = 1; cut <= words.size(); ++cut) {
        const std::string part = words.substr(0, cut);
        auto r = parse_post(form, adapters::http::encode_query(with({{"description", part}})));
        INFO("cut at " << cut);
        if (dialog::is_valid_utf8(part)) {
            REQUIRE(std::holds_alternative<post_request>(r));
            CHECK(std::get<post_request>(r).description == part);
        } else {
            REQUIRE(std::holds_alternative<problem>(r));
            CHECK(std::get<problem>(r).description == "description must be UTF-8");
        }
    }
}

TEST_CASE("a request becomes the intake report of its service", "[adapters][open311]") {
    auto in = parsed(form, adapters::http::encode_query(streetlight()));
    auto r = report_of(in, *find_service("construction"), "fixmystreet", token);
    CHECK(r.from == dialog::channel::open311);
    CHECK(r.reporter_id == "13800138000");
    CHECK(r.phone == "13800138000");
    CHECK(r.kind == "complaint");
    CHECK(r.category == "城乡建设");
    CHECK(r.classify_category);
    CHECK(r.urgency.empty());  // the classifier's
    CHECK(r.address == "东城社区幸福路12号");
    CHECK(r.location == in.location);
    CHECK(r.community.empty());  // the caller's, from its configured communities
    CHECK(r.source_key == "open311:" + std::string(token));
    CHECK(r.source_ref == source_ref_of(token));
    REQUIRE(r.attachments.size() == 1);
    CHECK(r.attachments[0] == "[图片] https://img.example/streetlight.jpg");
    CHECK(media_url_of(r.attachments[0]) == "https://img.example/streetlight.jpg");
    CHECK(!media_url_of("楼下又漏水了"));

    SECTION("without a phone the reporter is the client's account, device, e-mail or token") {
        in.phone.clear();
        CHECK(report_of(in, *find_service("wish"), "fixmystreet", token).reporter_id ==
              "fixmystreet:acc-1");
        in.account_id.clear();
        in.device_id = "dev-9";
        CHECK(report_of(in, *find_service("wish"), "fixmystreet", token).reporter_id ==
              "fixmystreet:dev-9");
        in.device_id.clear();
        in.email = "a@example.com";
        CHECK(report_of(in, *find_service("wish"), "fixmystreet", token).reporter_id ==
              "fixmystreet:a@example.com");
        in.email.clear();
        CHECK(report_of(in, *find_service("wish"), "fixmystreet", token).reporter_id ==
              "fixmystreet:" + std::string(token));
    }
    SECTION("a consultation is never given a category; address_id stands in for an address") {
        in.address_string.clear();
        in.address_id = "A-17";
        in.media_url.clear();
        auto c = report_of(in, *find_service("consultation"), "fixmystreet", token);
        CHECK(c.kind == "consultation");
        CHECK(c.category.empty());
        CHECK(!c.classify_category);
        CHECK(c.address == "A-17");
        CHECK(c.attachments.empty());
    }
}

TEST_CASE("GET requests' query becomes a case query", "[adapters][open311]") {
    auto all = filter({});
    CHECK(all.numbers.empty());
    CHECK(all.only == nullptr);
    CHECK(all.query.limit == max_results);
    CHECK(all.query.created_since == now - default_window);
    CHECK(!all.query.created_until);
    CHECK(all.query.statuses.empty());

    auto open = filter({{"service_code", "construction"}, {"status", "open"}});
    REQUIRE(open.only == find_service("construction"));
    CHECK(open.query.kind == "complaint");
    CHECK(open.query.category == "城乡建设");
    REQUIRE(!open.query.statuses.empty());
    for (const auto& s : open.query.statuses) CHECK(!dialog::cases::is_terminal(s));
    CHECK(!filter({{"service_code", "wish"}}).query.category);
    CHECK(filter({{"status", "open, closed"}}).query.statuses.empty());

    auto dated = filter({{"end_date", "2026-02-13T10:00:00+08:00"}});
    CHECK(dated.query.created_since == now - default_window);
    CHECK(dated.query.created_until == now + 1);
    CHECK(parse_datetime("2026-02-13T02:00:00Z") == now);

    // With service_request_id every other filter is ignored, even a bad one.
    auto numbers = filter({{"service_request_id", "MS1, MS2,,"}, {"status", "pending"}});
    CHECK(numbers.numbers == std::vector<std::string>{"MS1", "MS2"});

    CHECK(filter_problem({{"service_code", "potholes"}}).status == 404);
    CHECK(filter_problem({{"start_date", "yesterday"}}).status == 400);
    CHECK(filter_problem({{"end_date", "2026-02-13"}}).status == 400);
    CHECK(filter_problem(
              {{"start_date", "2026-02-13T00:00:00Z"}, {"end_date", "2026-02-12T00:00:00Z"}})
              .description == "end_date is before start_date");
    CHECK(filter_problem({{"status", "pending"}}).description == "status must be open or closed");
    CHECK(filter_problem({{"service_request_id", std::string(33, '1')}}).status == 400);
}

TEST_CASE("a list renders in XML and JSON with the fields in order", "[adapters][open311]") {
    const std::vector<record> items = {{{"service_request_id", "MS1"},
                                        {"lat", 22.543},
                                        {"metadata", false},
                                        {"service_notice", nullptr},
                                        {"description", "灯\x01坏"}}};
    const auto xml = render_list(format::xml, "service_requests", "request", items);
    CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    pugi::xml_document doc;
    REQUIRE(doc.load_string(xml.c_str()));
    auto request = doc.child("service_requests").child("request");
    std::vector<std::string> names;
    for (auto c : request.children()) names.emplace_back(c.name());
    CHECK(names == names_of(items[0]));
    CHECK(std::string(request.child_value("lat")) == "22.543");
    CHECK(std::string(request.child_value("metadata")) == "false");
    CHECK(std::string(request.child_value("service_notice")).empty());
    CHECK(std::string(request.child_value("description")) == "灯\uFFFD坏");

    const auto text = render_list(format::json, "service_requests", "request", items);
    auto j = nlohmann::ordered_json::parse(text);
    REQUIRE(j.size() == 1);
    names.clear();
    for (const auto& [k, v] : j[0].items()) names.push_back(k);
    CHECK(names == names_of(items[0]));
    CHECK(j[0]["lat"] == 22.543);
    CHECK(j[0]["service_notice"].is_null());
    CHECK(j[0]["description"] == "灯\x01坏");

    CHECK(render_list(format::json, "services", "service", {}) == "[]\n");
    pugi::xml_document empty;
    REQUIRE(empty.load_string(render_list(format::xml, "services", "service", {}).c_str()));
    CHECK(empty.child("services").first_child().empty());
}

TEST_CASE("errors and service definitions are the standard's documents", "[adapters][open311]") {
    CHECK(render_error(format::json, 404, "no such token") ==
          "[{\"code\":404,\"description\":\"no such token\"}]\n");
    pugi::xml_document doc;
    REQUIRE(doc.load_string(render_error(format::xml, 403, "a valid api_key").c_str()));
    auto e = doc.child("errors").child("error");
    CHECK(e.child("code").text().as_int() == 403);
    CHECK(std::string(e.child_value("description")) == "a valid api_key");

    CHECK(json::parse(render_definition(format::json, "wish")) ==
          json{{"service_code", "wish"}, {"attributes", json::array()}});
    pugi::xml_document def;
    REQUIRE(def.load_string(render_definition(format::xml, "wish").c_str()));
    CHECK(std::string(def.child("service_definition").child_value("service_code")) == "wish");

    CHECK(format_from_extension("xml") == format::xml);
    CHECK(format_from_extension("json") == format::json);
    CHECK(!format_from_extension("csv"));
    CHECK(content_type(format::xml) == "text/xml; charset=utf-8");
    CHECK(content_type(format::json) == "application/json; charset=utf-8");
}

TEST_CASE("stored cases read as the catalogue's services", "[adapters][open311]") {
    REQUIRE(catalogue().size() == 10);
    CHECK(find_service("potholes") == nullptr);
    CHECK(service_for_category("") == nullptr);
    CHECK(service_for_category("交通运输") == find_service("transport"));

    dialog::case_record c;
    c.kind = "complaint";
    c.category = "交通运输";
    CHECK(service_of(c) == find_service("transport"));
    c.category = "";
    CHECK(service_of(c) == find_service("complaint"));
    c.kind = "wish";
    CHECK(service_of(c) == find_service("wish"));
    c.kind = "consultation";
    CHECK(service_of(c) == find_service("consultation"));
    c.kind = "project";
    CHECK(service_of(c) == nullptr);

    c.status = "received";
    CHECK(status_of(c) == "open");
    for (auto s : {"closed", "cancelled", "merged"}) {
        c.status = s;
        CHECK(status_of(c) == "closed");
    }
}

TEST_CASE("what a client reads of a case is masked and rounded", "[adapters][open311]") {
    const auto& t = *texts();
    REQUIRE_NOTHROW(t.require(required_templates()));

    dialog::case_record c;
    c.number = "MS20260213-0001";
    c.from = dialog::channel::open311;
    c.kind = "complaint";
    c.category = "环境保护";
    c.status = "received";
    c.description =
        "油烟太大，我电话13912345678，邮箱zhang.san@example.com，银行卡6222021234567890123。";
    c.address = "东城社区幸福路12号";
    c.created_at = now;
    c.updated_at = now;
    c.location = dialog::geo_point{22.543216, 114.056789};
    const auto r = request_record(c, *service_of(c), t, "https://img.example/a.jpg");
    CHECK(names_of(r) ==
          std::vector<std::string>{"service_request_id", "status", "status_notes", "service_name",
                                   "service_code", "description", "agency_responsible",
                                   "service_notice", "requested_datetime", "updated_datetime",
                                   "expected_datetime", "address", "lat", "long", "media_url"});
    CHECK(value_of(r, "service_code") == "environment");
    CHECK(value_of(r, "requested_datetime") == "2026-02-13T10:00:00+08:00");
    CHECK(value_of(r, "expected_datetime").is_null());
    CHECK(value_of(r, "lat") == 22.543);
    CHECK(value_of(r, "long") == 114.057);
    const auto description = value_of(r, "description").get<std::string>();
    CHECK(description.find("油烟") != std::string::npos);
    CHECK(description.find("13912345678") == std::string::npos);
    CHECK(description.find("zhang.san@") == std::string::npos);
    CHECK(description.find("62220212345678") == std::string::npos);
    CHECK(value_of(r, "address") != "东城社区幸福路12号");

    c.location.reset();
    CHECK(names_of(request_record(c, *service_of(c), t, "")).back() == "address");
}

TEST_CASE("another channel's case reads in Open311 as the public view shows it",
          "[adapters][open311]") {
    const auto& t = *texts();
    dialog::case_record c;
    c.number = "WX20260213-0001";
    c.kind = "wish";
    c.status = "accepted";
    c.description = "我是独居老人，有糖尿病，腿脚不便，电话13912345678，想请人帮忙买药。";
    c.address = "东城社区幸福路12号3栋501";
    c.created_at = now;
    c.updated_at = now;
    c.location = dialog::geo_point{22.543216, 114.056789};
    for (auto from :
         {dialog::channel::wechat_oa, dialog::channel::miniprogram, dialog::channel::hotline}) {
        c.from = from;
        CHECK_FALSE(shown_in_full(c));
        const auto r = request_record(c, *service_of(c), t, "https://mmbiz.qpic.cn/resident.jpg");
        CHECK(value_of(r, "description").is_null());
        CHECK(value_of(r, "address").is_null());
        CHECK(value_of(r, "lat") == 22.54);
        CHECK(value_of(r, "long") == 114.06);
        CHECK(names_of(r).back() == "long");  // no media_url
        CHECK(value_of(r, "service_code") == "wish");
        CHECK(value_of(r, "status") == "open");
    }

    const auto posted = posted_record(c, token, "", t);
    CHECK(names_of(posted) ==
          std::vector<std::string>{"service_request_id", "token", "service_notice", "account_id"});
    CHECK(value_of(posted, "account_id").is_null());
    CHECK(value_of(posted, "service_notice").get<std::string>().find(c.number) !=
          std::string::npos);
    CHECK(names_of(service_record(*find_service("wish"), t)) ==
          std::vector<std::string>{"service_code", "service_name", "description", "metadata",
                                   "type", "keywords", "group"});
    CHECK(names_of(token_record(c.number, token)) ==
          std::vector<std::string>{"service_request_id", "token"});
}

TEST_CASE("e-mail addresses and long numbers are masked in free text", "[adapters][open311]") {
    CHECK(mask_emails("写信给zhang.san@example.com或者a@b") == "写信给z***@example.com或者a@b");
    CHECK(mask_emails("no at sign") == "no at sign");
    CHECK(mask_long_numbers("卡号6222021234567890123，房号1203") ==
          "卡号***************0123，房号1203");
    CHECK(mask_long_numbers("12345678901") == "*******8901");
    CHECK(mask_long_numbers("1234567890") == "1234567890");
}

// Found by fuzz_open311 (fuzz/corpus/open311/regress-blank-request-ids): ids that are only
// blanks and commas named nothing, and the route then listed cases past its page and window.
TEST_CASE("a service_request_id that names no request is refused", "[adapters][open311]") {
    for (const char* ids : {"   ", ",", " , ,"}) {
        INFO("[" << ids << "]");
        const auto p = filter_problem({{"service_request_id", ids}});
        CHECK(p.status == 400);
        CHECK(p.description.find("service_request_id") != std::string::npos);
    }
    CHECK(filter({{"service_request_id", " MS20260213-0001 "}}).numbers.size() == 1);
}
