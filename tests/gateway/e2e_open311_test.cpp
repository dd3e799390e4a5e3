// End-to-end: Open311 GeoReport v2 clients talking to the real gateway over HTTP, their service
// requests becoming cases in a real SQLite file, read back masked in XML and JSON.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "adapters/db/store.hpp"
#include "adapters/http/query_string.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

constexpr const char* api_key = "open311-test-key-0123456789";
constexpr const char* form_type = "application/x-www-form-urlencoded";

struct open311_fixture {
    running_gateway g;
    explicit open311_fixture(const std::string& tag) : g(make(tag)) {}
    static gateway::config make(const std::string& tag) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        c.open311.api_keys["fixmystreet"] = api_key;
        c.open311.jurisdiction_id = "minsheng.test";
        gateway::community_config west;
        west.name = "西城社区";
        west.street = "西城街道";
        west.location = dialog::geo_point{22.5500, 114.0400};
        c.communities.push_back(west);
        return c;
    }

    gateway::client_response get(const std::string& target) {
        auto http = g.client();
        return http.request("GET", target);
    }
    gateway::client_response post(const std::string& target, const std::string& body,
                                  const std::string& type = form_type) {
        auto http = g.client();
        return http.request("POST", target, body, {{"Content-Type", type}});
    }
    gateway::client_response post_form(const std::string& target,
                                       const adapters::wechat_oa::query_params& fields) {
        return post(target, adapters::http::encode_query(fields));
    }

    json operator_get(const std::string& target) {
        auto http = g.client();
        auto res = http.request("GET", target, "", {{"Authorization", bearer(g.cfg)}});
        REQUIRE(res.status == 200);
        return json::parse(res.body);
    }
    std::size_t case_count() { return operator_get("/api/v1/cases?limit=1000")["cases"].size(); }

    // The stored case, straight from the database file.
    dialog::case_record stored(const std::string& number) {
        adapters::db::reader r(g.cfg.db_path);
        auto c = r.get_case_by_number(number);
        REQUIRE(c);
        return *c;
    }
};

adapters::wechat_oa::query_params streetlight() {
    return {{"api_key", api_key},
            {"jurisdiction_id", "minsheng.test"},
            {"service_code", "construction"},
            {"lat", "22.543216"},
            {"long", "114.056789"},
            {"address_string", "东城社区幸福路12号"},
            {"description", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。"},
            {"phone", "+86 138-0013-8000"},
            {"first_name", "三"},
            {"last_name", "张"},
            {"account_id", "acc-1"},
            {"media_url", "https://img.example/streetlight.jpg"}};
}

pugi::xml_node parse_xml(pugi::xml_document& doc, const std::string& body) {
    auto ok = doc.load_string(body.c_str());
    INFO(body);
    REQUIRE(ok);
    return doc.document_element();
}

std::vector<std::string> child_names(pugi::xml_node n) {
    std::vector<std::string> out;
    for (auto c : n.children()) out.emplace_back(c.name());
    return out;
}

// The standard's error document in XML: its code, or -1 when the body is not one.
int xml_error_code(const std::string& body) {
    pugi::xml_document doc;
    if (!doc.load_string(body.c_str())) return -1;
    auto e = doc.child("errors").child("error");
    if (!e || e.child("description").text().empty()) return -1;
    return e.child("code").text().as_int(-1);
}

int json_error_code(const std::string& body) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_array() || j.size() != 1 || !j[0].contains("description")) return -1;
    return j[0].value("code", -1);
}

}  // namespace

TEST_CASE("services are listed in XML and JSON in the standard's shape", "[e2e][open311]") {
    open311_fixture f("open311-services");

    auto xml = f.get("/open311/v2/services.xml");
    REQUIRE(xml.status == 200);
    CHECK(xml.headers["content-type"].starts_with("text/xml"));
    CHECK(xml.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    pugi::xml_document doc;
    auto root = parse_xml(doc, xml.body);
    CHECK(std::string(root.name()) == "services");
    std::vector<std::string> codes;
    for (auto s : root.children()) {
        CHECK(std::string(s.name()) == "service");
        CHECK(child_names(s) == std::vector<std::string>{"service_code", "service_name",
                                                         "description", "metadata", "type",
                                                         "keywords", "group"});
        CHECK(std::string(s.child_value("metadata")) == "false");
        CHECK(std::string(s.child_value("type")) == "realtime");
        CHECK(!std::string(s.child_value("description")).empty());
        codes.emplace_back(s.child_value("service_code"));
    }
    // The classifier's seven categories, the uncategorised complaint, consultation and 微心愿.
    REQUIRE(codes.size() == 10);
    for (auto s : root.children())
        if (std::string(s.child_value("service_code")) == "construction") {
            CHECK(std::string(s.child_value("service_name")) == "城乡建设");
            CHECK(std::string(s.child_value("group")) == "民生诉求");
        } else if (std::string(s.child_value("service_code")) == "wish") {
            CHECK(std::string(s.child_value("service_name")) == "微心愿");
        }

    auto js = f.get("/open311/v2/services.json");
    REQUIRE(js.status == 200);
    CHECK(js.headers["content-type"].starts_with("application/json"));
    auto list = json::parse(js.body);
    REQUIRE(list.is_array());
    REQUIRE(list.size() == codes.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        CHECK(list[i]["service_code"] == codes[i]);
        CHECK(list[i]["metadata"] == false);
        CHECK(list[i]["type"] == "realtime");
        CHECK(list[i]["keywords"].is_string());
        CHECK(list[i]["group"].is_string());
    }

    SECTION("a service's definition has no attributes") {
        auto def = f.get("/open311/v2/services/wish.xml");
        REQUIRE(def.status == 200);
        pugi::xml_document d;
        auto r = parse_xml(d, def.body);
        CHECK(std::string(r.name()) == "service_definition");
        CHECK(child_names(r) == std::vector<std::string>{"service_code", "attributes"});
        CHECK(std::string(r.child_value("service_code")) == "wish");
        CHECK(r.child("attributes").first_child().empty());

        auto dj = f.get("/open311/v2/services/wish.json");
        REQUIRE(dj.status == 200);
        CHECK(json::parse(dj.body) ==
              json{{"service_code", "wish"}, {"attributes", json::array()}});
    }
    SECTION("an unknown service or format is 404 in the error format") {
        auto x = f.get("/open311/v2/services/potholes.xml");
        CHECK(x.status == 404);
        CHECK(xml_error_code(x.body) == 404);
        auto j = f.get("/open311/v2/services/potholes.json");
        CHECK(j.status == 404);
        CHECK(json_error_code(j.body) == 404);
        auto csv = f.get("/open311/v2/services.csv");
        CHECK(csv.status == 404);
        CHECK(xml_error_code(csv.body) == 404);
        auto bare = f.get("/open311/v2/services");
        CHECK(bare.status == 404);
        CHECK(xml_error_code(bare.body) == 404);
    }
}

TEST_CASE("a service request posted as a form round-trips in XML", "[e2e][open311]") {
    open311_fixture f("open311-xml");
    auto res = f.post_form("/open311/v2/requests.xml", streetlight());
    INFO(res.body);
    REQUIRE(res.status == 200);
    CHECK(res.headers["content-type"].starts_with("text/xml"));
    pugi::xml_document doc;
    auto root = parse_xml(doc, res.body);
    CHECK(std::string(root.name()) == "service_requests");
    auto posted = root.child("request");
    CHECK(child_names(posted) ==
          std::vector<std::string>{"service_request_id", "token", "service_notice", "account_id"});
    const std::string number = posted.child_value("service_request_id");
    const std::string token = posted.child_value("token");
    CHECK(number.starts_with("MS"));
    CHECK(token.size() == 32);
    CHECK(std::string(posted.child_value("service_notice")).find(number) != std::string::npos);
    CHECK(std::string(posted.child_value("account_id")) == "acc-1");

    // The case as stored: the open311 channel, the caller's phone as reporter, the location.
    auto c = f.stored(number);
    CHECK(c.from == dialog::channel::open311);
    CHECK(c.reporter_id == "13800138000");
    CHECK(c.contact_phone == "13800138000");
    CHECK(c.kind == "complaint");
    CHECK(c.category == "城乡建设");
    CHECK(c.source_ref == "open311:" + token);
    REQUIRE(c.location);
    CHECK(c.location->lat == Approx(22.543216));
    CHECK(c.location->lng == Approx(114.056789));

    // The operator API shows it.
    auto listed = f.operator_get("/api/v1/cases?channel=open311");
    REQUIRE(listed["cases"].size() == 1);
    auto op = f.operator_get("/api/v1/cases/" + std::to_string(c.id));
    CHECK(op["number"] == number);
    CHECK(op["channel"] == "open311");
    REQUIRE(op["location"].is_object());
    CHECK(op["location"]["lat"].get<double>() == Approx(22.543216));
    CHECK(op["location"]["lng"].get<double>() == Approx(114.056789));

    // GET requests/{id}: the standard's fields in its order, the location rounded.
    auto one = f.get("/open311/v2/requests/" + number + ".xml");
    REQUIRE(one.status == 200);
    pugi::xml_document d1;
    auto r1 = parse_xml(d1, one.body);
    auto req = r1.child("request");
    CHECK(child_names(req) ==
          std::vector<std::string>{"service_request_id", "status", "status_notes", "service_name",
                                   "service_code", "description", "agency_responsible",
                                   "service_notice", "requested_datetime", "updated_datetime",
                                   "expected_datetime", "address", "lat", "long", "media_url"});
    CHECK(std::string(req.child_value("service_request_id")) == number);
    CHECK(std::string(req.child_value("status")) == "open");
    CHECK(!std::string(req.child_value("status_notes")).empty());
    CHECK(std::string(req.child_value("service_code")) == "construction");
    CHECK(std::string(req.child_value("service_name")) == "城乡建设");
    CHECK(std::string(req.child_value("lat")) == "22.543");
    CHECK(std::string(req.child_value("long")) == "114.057");
    CHECK(std::string(req.child_value("media_url")) == "https://img.example/streetlight.jpg");
    CHECK(std::string(req.child_value("expected_datetime")).size() == 25);
    CHECK(std::string(req.child_value("address")) != "东城社区幸福路12号");
    CHECK(one.body.find("13800138000") == std::string::npos);
    CHECK(one.body.find("张") == std::string::npos);

    // GET tokens/{token}.
    auto tok = f.get("/open311/v2/tokens/" + token + ".xml");
    REQUIRE(tok.status == 200);
    pugi::xml_document d2;
    auto r2 = parse_xml(d2, tok.body);
    CHECK(child_names(r2.child("request")) ==
          std::vector<std::string>{"service_request_id", "token"});
    CHECK(std::string(r2.child("request").child_value("service_request_id")) == number);

    // GET requests with filters finds it, or not.
    auto count_of = [&](const std::string& query) {
        auto r = f.get("/open311/v2/requests.json" + query);
        INFO(query << " " << r.body);
        REQUIRE(r.status == 200);
        return json::parse(r.body).size();
    };
    CHECK(count_of("") == 1);
    CHECK(count_of("?service_code=construction") == 1);
    CHECK(count_of("?service_code=transport") == 0);
    CHECK(count_of("?status=open") == 1);
    CHECK(count_of("?status=closed") == 0);
    CHECK(count_of("?service_request_id=" + number + ",MS19990101-0001") == 1);
    CHECK(count_of("?start_date=2000-01-01T00:00:00Z&end_date=2001-01-01T00:00:00%2B08:00") == 0);
    CHECK(count_of("?start_date=" + std::string("2000-01-01T00:00:00Z") +
                   "&end_date=2999-01-01T00:00:00Z") == 1);
    CHECK(count_of("?jurisdiction_id=minsheng.test") == 1);
}

TEST_CASE("a service request posted as JSON round-trips in JSON", "[e2e][open311]") {
    open311_fixture f("open311-json");
    json body{{"api_key", api_key},
              {"service_code", "wish"},
              {"address_string", "东城社区"},
              {"description", "家里老人腿脚不便，希望有志愿者每周陪她去菜市场买菜。"},
              {"email", "resident@example.com"}};
    auto res = f.post("/open311/v2/requests.json", body.dump(), "application/json");
    INFO(res.body);
    REQUIRE(res.status == 200);
    auto posted = json::parse(res.body);
    REQUIRE(posted.is_array());
    REQUIRE(posted.size() == 1);
    const std::string number = posted[0]["service_request_id"];
    const std::string token = posted[0]["token"];
    CHECK(number.starts_with("WX"));
    CHECK(posted[0]["account_id"].is_null());
    CHECK(posted[0]["service_notice"].get<std::string>().find(number) != std::string::npos);

    auto c = f.stored(number);
    CHECK(c.kind == "wish");
    CHECK(c.reporter_id == "fixmystreet:resident@example.com");
    CHECK(c.contact_phone.empty());
    CHECK(!c.location);

    auto one = f.get("/open311/v2/requests/" + number + ".json");
    REQUIRE(one.status == 200);
    auto r = json::parse(one.body);
    REQUIRE(r.size() == 1);
    CHECK(r[0]["service_code"] == "wish");
    CHECK(r[0]["service_name"] == "微心愿");
    CHECK(r[0]["status"] == "open");
    CHECK(!r[0].contains("lat"));
    CHECK(one.body.find("resident@example.com") == std::string::npos);

    auto tok = f.get("/open311/v2/tokens/" + token + ".json");
    REQUIRE(tok.status == 200);
    CHECK(json::parse(tok.body) ==
          json::array({{{"service_request_id", number}, {"token", token}}}));

    // A form POST may ask for a JSON answer too.
    auto form = f.post_form("/open311/v2/requests.json", streetlight());
    REQUIRE(form.status == 200);
    CHECK(json::parse(form.body)[0]["service_request_id"].get<std::string>().starts_with("MS"));
    // Coordinates without an address: the nearest configured community within 3 km.
    auto near = streetlight();
    near.erase("address_string");
    near["lat"] = "22.5510";
    near["long"] = "114.0410";
    auto placed = f.post_form("/open311/v2/requests.json", near);
    REQUIRE(placed.status == 200);
    CHECK(
        f.stored(json::parse(placed.body)[0]["service_request_id"].get<std::string>()).community ==
        "西城社区");

    auto wishes = f.get("/open311/v2/requests.json?service_code=wish");
    REQUIRE(wishes.status == 200);
    REQUIRE(json::parse(wishes.body).size() == 1);
    CHECK(json::parse(wishes.body)[0]["service_request_id"] == number);
}

TEST_CASE("bad service requests are refused in the error format and store nothing",
          "[e2e][open311]") {
    open311_fixture f("open311-bad");
    const auto before = f.case_count();
    auto with = [](std::map<std::string, std::string> changes) {
        auto fields = streetlight();
        for (auto& [k, v] : changes) {
            if (v.empty())
                fields.erase(k);
            else
                fields[k] = v;
        }
        return fields;
    };
    auto expect = [&](const adapters::wechat_oa::query_params& fields, int status) {
        auto x = f.post_form("/open311/v2/requests.xml", fields);
        INFO(x.body);
        CHECK(x.status == status);
        CHECK(xml_error_code(x.body) == status);
        auto j = f.post_form("/open311/v2/requests.json", fields);
        INFO(j.body);
        CHECK(j.status == status);
        CHECK(json_error_code(j.body) == status);
    };
    expect(with({{"api_key", "not-the-key-0123456789"}}), 403);
    expect(with({{"api_key", ""}}), 403);
    expect(with({{"service_code", ""}}), 400);
    expect(with({{"service_code", "potholes"}}), 404);
    expect(with({{"lat", ""}, {"long", ""}, {"address_string", ""}}), 400);
    expect(with({{"lat", "95"}}), 400);
    expect(with({{"lat", "22.5abc"}}), 400);
    expect(with({{"long", ""}}), 400);
    expect(with({{"description", ""}}), 400);
    expect(with({{"description", std::string(4001, 'a')}}), 400);
    expect(with({{"phone", "call me"}}), 400);
    expect(with({{"media_url", "javascript:alert(1)"}}), 400);
    expect(with({{"jurisdiction_id", "elsewhere"}}), 404);

    auto bad_type = f.post("/open311/v2/requests.json", "<xml/>", "text/xml");
    CHECK(bad_type.status == 400);
    CHECK(json_error_code(bad_type.body) == 400);
    auto bad_form = f.post("/open311/v2/requests.json", "api_key=%zz");
    CHECK(bad_form.status == 400);

    auto get_status = [&](const std::string& target) {
        auto r = f.get(target);
        INFO(target << " " << r.body);
        CHECK((target.ends_with(".json") || target.find(".json?") != std::string::npos
                   ? json_error_code(r.body)
                   : xml_error_code(r.body)) == r.status);
        return r.status;
    };
    CHECK(get_status("/open311/v2/requests.json?start_date=yesterday") == 400);
    CHECK(get_status("/open311/v2/requests.xml?end_date=2026-02-13") == 400);
    CHECK(get_status("/open311/v2/requests.json?start_date=2026-02-13T00:00:00Z&end_date=2026-"
                     "02-12T00:00:00Z") == 400);
    CHECK(get_status("/open311/v2/requests.json?status=pending") == 400);
    CHECK(get_status("/open311/v2/requests/MS19990101-0001.xml") == 404);
    CHECK(get_status("/open311/v2/tokens/0123456789abcdef0123456789abcdef.json") == 404);
    CHECK(get_status("/open311/v2/tokens/nope.xml") == 404);
    CHECK(get_status("/open311/v2/requests.json?jurisdiction_id=elsewhere") == 404);

    auto http = f.g.client();
    auto del = http.request("DELETE", "/open311/v2/requests.json");
    CHECK(del.status == 405);
    CHECK(del.headers["allow"] == "GET, POST");
    CHECK(json_error_code(del.body) == 405);

    CHECK(f.case_count() == before);
}

TEST_CASE("personal data in a service request never comes back unmasked", "[e2e][open311]") {
    open311_fixture f("open311-mask");
    auto fields = streetlight();
    fields["description"] =
        "楼下烧烤店油烟太大，我电话13912345678，邮箱zhang.san@example.com，身份证"
        "110101199003071233，银行卡110101199003071234。";
    fields["service_code"] = "environment";
    auto res = f.post_form("/open311/v2/requests.json", fields);
    REQUIRE(res.status == 200);
    const std::string number = json::parse(res.body)[0]["service_request_id"];

    for (const std::string& target :
         {"/open311/v2/requests/" + number + ".json", "/open311/v2/requests/" + number + ".xml",
          std::string("/open311/v2/requests.json"), std::string("/open311/v2/requests.xml")}) {
        auto r = f.get(target);
        INFO(target << " " << r.body);
        REQUIRE(r.status == 200);
        CHECK(r.body.find("烧烤店") != std::string::npos);
        CHECK(r.body.find("13912345678") == std::string::npos);
        CHECK(r.body.find("13800138000") == std::string::npos);
        CHECK(r.body.find("zhang.san@") == std::string::npos);
        CHECK(r.body.find("110101199003071233") == std::string::npos);
        CHECK(r.body.find("11010119900307") == std::string::npos);
        CHECK(r.body.find("幸福路12号") == std::string::npos);
        CHECK(r.body.find("acc-1") == std::string::npos);
        CHECK(r.body.find("phone") == std::string::npos);
        CHECK(r.body.find("email") == std::string::npos);
    }
}

TEST_CASE("a resident's chat appeal is listed in Open311 without its words, address or picture",
          "[e2e][open311]") {
    open311_fixture f("open311-least");
    wechat_peer wx(f.g.cfg, f.g.port);
    auto said =
        wx.say("o_least_1",
               "我是独居老人，有糖尿病腿脚不便，住西城社区和平街8号3栋501，电话13912345678，"
               "想请志愿者每周帮我买一次药");
    REQUIRE(said.status == 200);
    const auto cases = f.operator_get("/api/v1/cases?limit=10")["cases"];
    REQUIRE(cases.size() == 1);
    const std::string chat_number = cases[0]["number"];
    REQUIRE(f.post_form("/open311/v2/requests.json", streetlight()).status == 200);

    for (const std::string& target :
         {"/open311/v2/requests/" + chat_number + ".json", std::string("/open311/v2/requests.json"),
          "/open311/v2/requests/" + chat_number + ".xml",
          std::string("/open311/v2/requests.xml")}) {
        auto r = f.get(target);
        INFO(target << " " << r.body);
        REQUIRE(r.status == 200);
        CHECK(r.body.find(chat_number) != std::string::npos);  // listed, as the public view is
        CHECK(r.body.find("糖尿病") == std::string::npos);
        CHECK(r.body.find("独居") == std::string::npos);
        CHECK(r.body.find("和平街") == std::string::npos);
        CHECK(r.body.find("13912345678") == std::string::npos);
    }
    // The Open311 client's own request is still shown in full.
    auto list = json::parse(f.get("/open311/v2/requests.json").body);
    REQUIRE(list.size() == 2);
    for (const auto& item : list) {
        if (item["service_request_id"] == chat_number)
            CHECK(item["description"].is_null());
        else
            CHECK(item["description"].get<std::string>().find("路灯") != std::string::npos);
    }
}

TEST_CASE("a service request for an open case's problem joins it and answers its id",
          "[e2e][open311]") {
    open311_fixture f("open311-joined");
    auto first = f.post_form("/open311/v2/requests.json", streetlight());
    REQUIRE(first.status == 200);
    const std::string number = json::parse(first.body)[0]["service_request_id"];

    auto same = streetlight();
    same["account_id"] = "acc-2";
    same["phone"] = "13900139000";
    same["lat"] = "22.543600";  // about 40 m north
    same["description"] = "幸福小区门口路灯不亮了，晚上黑漆漆的，请派人修一下。";
    auto joined = f.post_form("/open311/v2/requests.json", same);
    INFO(joined.body);
    REQUIRE(joined.status == 200);
    const auto answer = json::parse(joined.body);
    CHECK(answer[0]["service_request_id"] == number);
    CHECK(answer[0]["service_notice"].get<std::string>().find("附近已有同类问题 " + number) !=
          std::string::npos);
    // One case, nothing of the first reporter in the answer.
    CHECK(joined.body.find("13800138000") == std::string::npos);
    CHECK(json::parse(f.get("/open311/v2/requests.json").body).size() == 1);
}

TEST_CASE("a service request with the phone of an earlier one adds nothing to that case",
          "[e2e][open311]") {
    // An Open311 phone is what the client says, not a verified identity: a request told again
    // under it is never taken as its reporter's (no detail written on their case, no answer about
    // it), as a verified resident's or a 12345 caller's is.
    open311_fixture f("open311-told-again");
    auto first = f.post_form("/open311/v2/requests.json", streetlight());
    REQUIRE(first.status == 200);
    const std::string number = json::parse(first.body)[0]["service_request_id"];
    const auto before = json::parse(f.get("/open311/v2/requests/" + number + ".json").body);

    auto again = streetlight();
    again["account_id"] = "acc-someone-else";
    again["description"] = "幸福小区3栋门口的路灯还是不亮，晚上很黑，请尽快派人来修。";
    auto second = f.post_form("/open311/v2/requests.json", again);
    INFO(second.body);
    REQUIRE(second.status == 200);
    CHECK(json::parse(second.body)[0]["service_request_id"] != number);
    CHECK(json::parse(f.get("/open311/v2/requests/" + number + ".json").body) == before);
    CHECK(json::parse(f.get("/open311/v2/requests.json").body).size() == 2);
}
