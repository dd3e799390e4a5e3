#pragma once
// Entity extraction with RE2 plus validation: mobile and landline numbers, 18-digit ID numbers
// (checksum verified), addresses, dates and times (absolute, relative, Chinese numerals), money
// amounts, case, wish and proposal numbers. Immutable after create(): share freely across threads.
//
// Runs over normalised text (so full-width digits and Traditional script are already folded);
// spans point into the original. Entity types and values:
//   phone        1[3-9]x mobile, 11 digits, optionally +86/0086/86 and spaces or dashes between
//                digits (138 1234 5678, 138-1234-5678)          value: the 11 digits
//   landline     area code 0xx / 0xxx (optionally in brackets) + 7-8 digit local number
//                (0769-22223333, (010)12345678)                 value: digits only
//   id_number    18 characters, GB 11643 checksum and a real birth date (1900-2099); a wrong
//                checksum is no entity at all                   value: upper case, 18 chars
//   address      components ending in 省 市 区 县 镇 乡 街道 社区 村 小区 花园 家园 苑 路 大道
//                街 巷 弄 胡同 广场 大厦 公寓 新村 山庄 公园 市场 墟 城 湾 and numbered
//                parts 号 号楼 栋 幢 座 单元
//                楼 层 室 房 户 (a bare room number after 单元/栋/楼 too), chained; colloquial
//                heads (我们村, 本小区, 咱们社区) and anonymised names (A市K2区)
//                                                               value: the normalised text
//   date         2026年3月5日, 3月5号, 三月五日, 2026-03-05, 3.5, 3/5, 15号, 今天 昨天 前天
//                明天 后天 (and 大前天, 今晚, ...), 三天前, 2周后, 3个月前, 上周, 下周一,
//                周三 (this week), 上个月, 去年   value: ISO 8601 at the precision written:
//                "2026-03-05", a week "2026-W10", a month "2026-02", a year "2025"
//   time         20:30, 晚上8点, 8点半, 下午三点十五分, 凌晨2点   value: "HH:MM" (24-hour)
//   money        两千元, 1.5万, 3000块, ¥200, 五百元, 1,200元, 一万五千块
//                                                               value: yuan, plain decimal
//   case_number  MS20261123-0007 (any case, dash optional)      value: "MS20261123-0007"
//   wish_number  WX20261123-0007                                value: "WX20261123-0007"
//   proposal_number  YS20261123-0001 (微实事 proposal)             value: "YS20261123-0001"
// Entities never overlap; when candidates do, the more specific kind wins (case, wish and
// proposal numbers, ID, phone, landline, money, date, time, address), then the longer one.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dialog/nlu/nlu.hpp"
#include "dialog/nlu/normalizer.hpp"

namespace minsheng::dialog::nlu {

class extractor {
public:
    // Compiles every pattern; throws std::runtime_error if one does not compile.
    static std::shared_ptr<const extractor> create();

    // Entities in order of position, spans into `original`. `now` (unix seconds) anchors relative
    // dates such as 三天前 or 下周一 (China time, UTC+8).
    std::vector<entity> extract(const normalised_text& text, std::string_view original,
                                std::int64_t now) const;

    // The characters of `original` that personal-data masking replaces with '*', one span per
    // character, in order: the middle four digits of mobile numbers, landline digits but the
    // area code and the last two, ID numbers but their first 3 and last 4 characters, and the
    // house, building, unit, floor and room numbers of addresses.
    std::vector<span> personal_characters(const normalised_text& text,
                                          std::string_view original) const;

    ~extractor();
    struct impl;

private:
    explicit extractor(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

// 18-digit mainland ID number check (GB 11643 checksum, plausible birth date).
bool valid_id_number(std::string_view id);

}  // namespace minsheng::dialog::nlu
