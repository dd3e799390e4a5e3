#pragma once
// The explicit command forms a person may type ("认领 WX20261123-0001", "5分", "我的积分", ...),
// recognised deterministically on the understanding's normalised (Simplified, lower-case,
// half-width) text, whatever the intent model thinks of such short texts; and the short answers
// a pending question expects (对 / 不对, 不方便, a community, skills). Pure functions.

#include <cstddef>
#include <string>
#include <string_view>

#include "dialog/nlu/nlu.hpp"

namespace minsheng::dialog::detail {

enum class verb {
    none,
    help,
    progress,            // 查询, 我的诉求怎么样了, 查询 MS…
    cancel,              // 取消, 撤销, 撤销 MS…
    confirm_done,        // 已解决, 确认, 解决了
    rate,                // 5分, 五星, 满意, 评价 4 服务很好
    not_solved,          // 没解决, 还没解决
    add_detail,          // 补充…
    register_volunteer,  // 注册志愿者, 我要当志愿者
    wall,                // 心愿墙, 看看心愿
    near_wall,           // 附近心愿, 我附近有什么心愿
    claim,               // 认领 WX…
    release,             // 放弃 WX…, 取消认领 WX…
    start,               // 开始 WX…
    report_done,         // 完成 WX…, 已完成 WX…
    my_claims,           // 我的认领
    points,              // 积分, 我的积分
    ranking,             // 排行, 排行榜
    stars,               // 本月之星
    propose,             // 提议 …, 我提议…, 建议小区…
    vote,                // 投票 YS…, 支持 YS…
    list_proposals,      // 议题, 提议列表
    thanks,              // 谢谢, 辛苦了
    bind_phone,          // 绑定手机 138…: an SMS code to that number, to verify it
    verify_phone,        // 验证码 123456: the code back; the phone is then this account's
    bind_staff,  // 绑定工号 12345678: a staff member's WeChat receives their notifications
    volunteer_applications,  // 志愿者申请: bound staff list the applications waiting for them
    approve_volunteer,       // 同意志愿者 ZY12: bound staff approve an application
    refuse_volunteer,        // 婉拒志愿者 ZY12: bound staff refuse one
    confirm_move,            // 确认迁入 12: bound staff confirm a resident's community move
    my_orders,               // 我的工单: a bound grid worker's open orders by due time
    order_accept,            // 接单 MS…
    order_arrive,            // 到场 MS… (then their location)
    order_progress,          // 处理中 MS… <note>
    order_done,              // 办结 MS… <result the resident reads>
    order_return,            // 退回 MS… <reason>
    patrol,                  // 巡查上报 <what the grid worker found>
};

struct command {
    verb what = verb::none;
    std::string number;  // the case, wish or proposal number named (upper case); "" none
    int rating = 0;      // rate: 1..5
    std::string rest;    // rate: the comment; propose: the proposal (as written where possible);
                         // bind_phone: the phone's digits ("" when none was given)
                         // bind_staff, verify_phone: the code's digits ("" when none)
                         // approve/refuse_volunteer: the application number's digits
                         // confirm_move: the move number's digits
                         // order_progress/done/return: the text after the number, as written
                         // patrol: the report after 巡查上报, as written
};

// The command in `u` (the understanding of `original`), or verb::none.
command parse_command(const nlu::understanding& u, std::string_view original);

// The first case, wish or proposal number in `u` (upper case), "" none.
std::string number_in(const nlu::understanding& u);

// The normalised text without numbers, surrounding spaces and punctuation and a trailing modal
// particle (吧, 啊, 呢, ...): what short answers are compared with.
std::string core_of(const nlu::understanding& u);

// Short answers to "……，对吗？" / "确定……吗？".
bool is_yes(const nlu::understanding& u);
bool is_no(const nlu::understanding& u);
// "不方便", "不用", "没有电话": the resident would rather not leave a phone.
bool is_skip_phone(const nlu::understanding& u);
// A rating given as the answer to "请打1–5分": also a bare digit or 一般; 0 when none.
int rating_answer(const nlu::understanding& u);

// The community a text names ("我是光明社区的" → "光明社区"), from an address entity naming a
// 社区 or 村, Simplified; "" when none.
std::string community_in(const nlu::understanding& u);
// A short answer that can only be a community name ("光明", "住在光明社区"); "" otherwise.
std::string community_answer(const nlu::understanding& u);
// The skills a volunteer names: what follows 会/擅长/能/特长 ("会修家电" → "修家电"), as written
// in `original` where possible; "" none.
std::string skills_in(const nlu::understanding& u, std::string_view original);
// "没有", "无", "不会": no particular skills.
bool no_skills(const nlu::understanding& u);

// `original` from the character at which normalised[offset] starts, when the two have the same
// number of characters (so they line up one to one); else normalised from offset. Trimmed.
std::string as_written(std::string_view normalised, std::size_t offset, std::string_view original);

}  // namespace minsheng::dialog::detail
