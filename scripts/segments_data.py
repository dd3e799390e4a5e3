#!/usr/bin/env python3
"""Builds data/nlu/segments-{dev,test}.tsv, the evaluation set of `minsheng-nlu eval --task
segments` (docs/nlu.md, "Problem segmentation"). Deterministic: the same corpus gives the same
files. The corpus texts are NOT written: a corpus message is referenced as @ID and read by the
tool at run time. Only ids, labels and lengths are read here.

Usage: scripts/segments_data.py CORPUS.tsv OUT_DIR
"""
import csv
import random
import sys

# Short appeals as callers say them (hand-written), with their department.
HAND = [
    ("城乡建设", "幸福小区3栋门口的路灯坏了一个多星期了，晚上黑乎乎的，老人出门很不方便。"),
    ("城乡建设", "我们楼道里的声控灯全坏了，上下楼只能摸黑，物业一直说要修就是不来。"),
    ("城乡建设", "和平路12号旁边的下水道井盖丢了，很危险，请尽快派人处理。"),
    ("城乡建设", "小区二期的电梯这个月已经坏了三次，有一次还把人关在里面半个小时。"),
    ("城乡建设", "我家楼上的外墙瓷砖往下掉，下面就是小孩玩的地方，希望有人来看看。"),
    ("城乡建设", "新华路和建设路路口的人行道砖翘起来了，好几个人在那里绊倒过。"),
    ("城乡建设", "我们小区从昨天晚上开始停水，到现在也没有通知什么时候来水。"),
    ("城乡建设", "阳光花园的物业费每年都涨，可是绿化没人管，垃圾也没人及时清。"),
    ("环境保护", "小区门口的垃圾已经好几天没人清运了，天气热，臭得不行。"),
    ("环境保护", "我家附近那个汽修厂每天晚上喷漆，味道特别刺鼻，窗户都不敢开。"),
    ("环境保护", "河边那家饭店把油污直接倒进河里，水面上一层油，鱼都死了不少。"),
    ("环境保护", "工地晚上十二点以后还在施工，打桩的声音吵得整栋楼都睡不着觉。"),
    ("环境保护", "楼下烧烤摊每天营业到凌晨两三点，油烟直接往我们家里灌。"),
    ("环境保护", "城东那个工厂的烟囱天天冒黑烟，附近的人都说嗓子难受。"),
    ("交通运输", "88路公交车这个月开始改线了，我们这边的站点取消了，老人看病很不方便。"),
    ("交通运输", "火车站门口的出租车不打表，去市中心张口就要五十块钱。"),
    ("交通运输", "学校门口早上接送孩子的车乱停，把整条路都堵死了，也没有交警管。"),
    ("交通运输", "开发区那条路上的红绿灯坏了两天了，路口车很多，很容易出事故。"),
    ("交通运输", "我们村到镇上的班车一天只有两趟，能不能增加几个班次。"),
    ("交通运输", "高架桥下面的路面塌了一个大坑，晚上骑电动车的人看不见。"),
    ("劳动和社会保障", "我在一家装修公司干了半年，老板拖欠了我三个月工资一直不给。"),
    ("劳动和社会保障", "公司一直没有给我们交社保，我去问人事，他们说试用期不用交。"),
    ("劳动和社会保障", "我母亲的养老金这个月没有按时到账，打电话问社保局也说不清楚。"),
    ("劳动和社会保障", "我想问一下失业保险金怎么申请，需要准备什么材料。"),
    ("劳动和社会保障", "单位辞退我没有给任何补偿，也不给开离职证明，我现在找不到新工作。"),
    ("劳动和社会保障", "我们工地上二十多个农民工的工资被包工头卷走了，快过年了大家都很着急。"),
    ("教育文体", "孩子上学的那个小学门口没有斑马线，也没有护学岗，每天过马路都很危险。"),
    ("教育文体", "学校强制要求孩子买指定的校服和教辅资料，价格比外面贵很多。"),
    ("教育文体", "我们小区的孩子被划到了五公里以外的学校，附近的学校反而不能上。"),
    ("教育文体", "培训机构收了一年的学费以后就关门了，老板电话也打不通。"),
    ("教育文体", "社区的篮球场被改成了停车场，孩子们放学以后没地方运动了。"),
    ("教育文体", "幼儿园的老师体罚孩子，我家孩子回来说被关在小黑屋里。"),
    ("卫生计生", "市医院挂号排了三个小时的队，窗口只开了两个，老人都站不住了。"),
    ("卫生计生", "楼下那家小诊所没有执照，还在给人输液，出了事谁负责。"),
    ("卫生计生", "我在药店买的药过期了两个月还在卖，店员还不给退。"),
    ("卫生计生", "社区卫生服务中心的疫苗经常没有，孩子打针要一直往区里跑。"),
    ("卫生计生", "我想咨询一下二孩的生育登记在哪里办，要带哪些材料。"),
    ("卫生计生", "医院收费的时候多收了我两百多块钱的检查费，我根本没做那个检查。"),
    ("商贸旅游", "我在超市买的牛奶喝了以后拉肚子，一看已经过期了，超市不认账。"),
    ("商贸旅游", "景区门口的饭店菜价没有标明，结账的时候一盘鱼要了我三百多。"),
    ("商贸旅游", "我在网上商城买的手机是翻新机，商家不给退货，客服也联系不上。"),
    ("商贸旅游", "菜市场里有人用的秤缺斤少两，一斤肉少了快二两。"),
    ("商贸旅游", "健身房收了我两年的会员费，现在说要搬走，钱也不退。"),
    ("商贸旅游", "旅行社带团的时候强制购物，不买就不让上车，态度很恶劣。"),
]

# What a caller says when turning to the next problem in the same breath.
STRONG = ["还有一件事，", "另外还有一个问题，", "我再反映一个事，", "还有一个问题啊，", "顺便反映一下，",
          "另外一件事就是，", "嗯，还有个事，", "第二个问题是，", "我还想反映一个情况，"]
WEAK = ["还有，", "另外，", "此外，", "还有就是，"]
INVITE = ["好的，已经给您记录了。请问还有别的问题吗？", "嗯，这个我们记下了，您还有其他需要反映的吗？",
          "好的。还有没有别的事情？", "明白了，会转给相关部门处理。还有其他问题吗？",
          "好的，还有什么问题需要反映吗？"]
INVITE_REPLY = ["有，", "还有，", "有的，", "嗯，还有一个，", ""]
ACK = ["好的，记下了。", "嗯，您说。", "好的，明白。", "这个情况我们了解了。"]
GREET = ["您好，12345热线，请问有什么可以帮您？", "您好，请讲。", "您好，这里是市民服务热线。"]
CLOSE = ["好的，我们会尽快转交相关部门处理，请保持电话畅通。", "好的，感谢您的来电，再见。"]
# An agent question about the same problem, and the caller's answer that goes on with it.
ASK_SAME = [
    ("请问具体是在什么位置？", "就在小区东门进去左手边那一栋楼下面。"),
    ("这个情况持续多久了？", "差不多有半个多月了，一直没人管。"),
    ("您之前有没有向其他部门反映过？", "反映过，去年就打过电话，到现在也没解决。"),
    ("请问还有什么要补充的吗？", "还有就是，这个问题已经影响到很多住户了，希望尽快处理。"),
    ("您希望怎么处理？", "希望有关部门来现场看一看，给我们一个说法。"),
    ("请问还有别的问题吗？", "没有了，就这个事，谢谢。"),
    ("好的，还有其他问题吗？", "就是刚才说的那个事，麻烦你们尽快处理一下。"),
    ("您方便留一下联系方式吗？", "可以，就打我这个电话就行。"),
]


def main():
    corpus, out_dir = sys.argv[1], sys.argv[2]
    rows = []
    with open(corpus, encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.append((r["id"], r["label"], len(r["text"])))
    rng = random.Random(20261202)
    by_len = sorted(rows, key=lambda r: (-r[2], r[0]))
    longest = by_len[:30]
    taken = {r[0] for r in longest}
    labels = sorted({r[1] for r in rows})
    pool = {l: [r for r in rows if r[1] == l and r[0] not in taken] for l in labels}
    for l in labels:
        rng.shuffle(pool[l])
    singles = list(longest)
    i = 0
    while len(singles) < 190:  # mixed categories, round robin
        l = labels[i % len(labels)]
        if pool[l]:
            singles.append(pool[l].pop())
        i += 1
    # Letters short enough to be said in a call, for the composed calls.
    short = [r for l in labels for r in pool[l] if 60 <= r[2] <= 500]
    rng.shuffle(short)

    items = []  # (id, turns)

    def turn(role, text):
        assert "|" not in text and "\t" not in text
        return role + ":" + text

    # Single-problem letters, as calls of one caller turn, some with the agent around them and
    # some going on after an agent question about the same problem.
    for n, (cid, _, _) in enumerate(singles):
        style = n % 4
        t = []
        if style >= 1:
            t.append(turn("agent", GREET[n % len(GREET)]))
        t.append(turn("caller+", "@" + cid))
        if style == 2:
            ask, answer = ASK_SAME[n % len(ASK_SAME)]
            t += [turn("agent", ask), turn("caller", answer)]
        if style >= 1:
            t.append(turn("agent", CLOSE[n % len(CLOSE)]))
        items.append(("s-%03d" % (n + 1), t))
    # Single-problem hand-written calls, with an agent question and the same problem going on.
    for n, (_, text) in enumerate(HAND):
        ask, answer = ASK_SAME[n % len(ASK_SAME)]
        t = [turn("agent", GREET[n % len(GREET)]), turn("caller+", text), turn("agent", ask),
             turn("caller", answer), turn("agent", CLOSE[n % len(CLOSE)])]
        items.append(("h-%03d" % (n + 1), t))

    # Calls raising two or three problems: corpus letters and hand-written appeals, joined the
    # ways callers join them.
    hand = list(HAND)
    rng.shuffle(hand)
    hi = 0
    li = 0
    for n in range(120):
        k = 2 if n < 75 else 3
        t = [turn("agent", GREET[n % len(GREET)])]
        used = set()
        for j in range(k):
            if (n + j) % 3 == 0 and li < len(short):
                piece = "@" + short[li][0]
                li += 1
            else:
                while hand[hi % len(hand)][1] in used:
                    hi += 1
                piece = hand[hi % len(hand)][1]
                used.add(piece)
                hi += 1
            if j == 0:
                t.append(turn("caller+", piece))
                continue
            way = rng.random()
            if way < 0.40:  # a strong marker, same breath
                t += [turn("caller+", STRONG[rng.randrange(len(STRONG))]), turn("caller", piece)]
            elif way < 0.55:  # a weak marker, same breath
                t += [turn("caller+", WEAK[rng.randrange(len(WEAK))]), turn("caller", piece)]
            elif way < 0.90:  # the agent asks for more
                t.append(turn("agent", INVITE[rng.randrange(len(INVITE))]))
                reply = INVITE_REPLY[rng.randrange(len(INVITE_REPLY))]
                if reply:
                    t += [turn("caller+", reply), turn("caller", piece)]
                else:
                    t.append(turn("caller+", piece))
            else:  # the agent acknowledges; the caller goes on to another matter unannounced
                t += [turn("agent", ACK[rng.randrange(len(ACK))]), turn("caller+", piece)]
        t.append(turn("agent", CLOSE[n % len(CLOSE)]))
        items.append(("m%d-%03d" % (k, n + 1), t))

    # Fixed split: of every five items in this order, the first three are dev, the last two test.
    dev = [it for n, it in enumerate(items) if n % 5 < 3]
    test = [it for n, it in enumerate(items) if n % 5 >= 3]
    head = ("# Problem segmentation: id<TAB>turns (tools/nlu/segments.hpp, docs/nlu.md). Built by\n"
            "# scripts/segments_data.py from the corpus ids; @ID is read from the corpus at run time.\n")
    for name, part in (("dev", dev), ("test", test)):
        with open("%s/segments-%s.tsv" % (out_dir, name), "w", encoding="utf-8") as f:
            f.write(head)
            for iid, t in part:
                f.write(iid + "\t" + "|".join(t) + "\n")


if __name__ == "__main__":
    main()
