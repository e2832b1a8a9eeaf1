// moat selftest: reading the demos' console lines, the statistics, histogram, verdict and report.
#include <gtest/gtest.h>

#include "selftest_report.hpp"

namespace moat::selftest {
namespace {

// Lines as the ctl-loop and timer-latency demos print them through the hypervisor's console
// (copied from a QEMU run's log: tests/qemu/cell-deadlines, direct-irq).
constexpr const char *kCtlLine =
    "[ctl-loop] ctl-loop: t=3s periods=10000 misses=0 jitter_min=-6432ns jitter_avg=0ns jitter_max=6432ns "
    "latency_max=6656ns exec_max=224ns speed=150.000 setpoint=150.000 voltage=8.000 load=0.010 settled=1";
constexpr const char *kLatencyRun =
    "[ctl-loop] timer-latency: cell flavour, CNTFRQ=62500000 Hz, 1000 samples per round, deadlines 20-50 us ahead\r\n"
    "[ctl-loop] timer-latency: mode=wfi entry samples=1000 min=2 avg=2907 max=29313 ticks min_ns=32 avg_ns=46512 max_ns=469008\r\n"
    "[ctl-loop] timer-latency: mode=wfi handler samples=1000 min=6 avg=2912 max=29317 ticks min_ns=96 avg_ns=46592 max_ns=469072\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [4,8) ticks: 96\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [128,256) ticks: 2\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [256,512) ticks: 3\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [512,1024) ticks: 4\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [1024,2048) ticks: 5\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [2048,4096) ticks: 820\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [4096,8192) ticks: 69\r\n"
    "[ctl-loop] timer-latency: mode=wfi hist [16384,32768) ticks: 1\r\n"
    "[ctl-loop] timer-latency: mode=busy entry samples=1000 min=0 avg=0 max=0 ticks min_ns=0 avg_ns=0 max_ns=0\r\n"
    "[ctl-loop] timer-latency: mode=busy handler samples=1000 min=4 avg=4 max=4 ticks min_ns=64 avg_ns=64 max_ns=64\r\n"
    "[ctl-loop] timer-latency: mode=busy hist [4,8) ticks: 1000\r\n"
    "[ctl-loop] timer-latency: done, ok\r\n";

TEST(SelftestParse, CtlLine)
{
    CtlSecond c;
    ASSERT_TRUE(parse_ctl_line(kCtlLine, c));
    EXPECT_EQ(c.second, 3u);
    EXPECT_EQ(c.periods, 10000u);
    EXPECT_EQ(c.misses, 0u);
    EXPECT_EQ(c.jitter_min_ns, -6432);
    EXPECT_EQ(c.jitter_avg_ns, 0);
    EXPECT_EQ(c.jitter_max_ns, 6432);
    EXPECT_EQ(c.latency_max_ns, 6656);
    EXPECT_EQ(c.exec_max_ns, 224);
}

TEST(SelftestParse, MalformedCtlLinesAreNotReports)
{
    CtlSecond c;
    EXPECT_FALSE(parse_ctl_line("ctl-loop: shutdown requested at speed=1.000: braking the motor first", c));
    EXPECT_FALSE(parse_ctl_line("ctl-loop: t=3s periods=10000", c));  // cut short
    EXPECT_FALSE(parse_ctl_line("ctl-loop: t=3s periods=10000 misses=x jitter_min=1ns jitter_avg=1ns jitter_max=1ns "
                                "latency_max=1ns exec_max=1ns", c));
    EXPECT_FALSE(parse_ctl_line("ctl-loop: t=3 periods=10000 misses=0 jitter_min=1ns jitter_avg=1ns jitter_max=1ns "
                                "latency_max=1ns exec_max=1ns", c));  // no unit
    EXPECT_FALSE(parse_ctl_line("moat: cell \"ctl-loop\" started on CPU 3", c));
}

TEST(SelftestParse, TimerLatencyRunInPieces)
{
    ConsoleParser p;
    // The console is read in pieces that cut lines anywhere.
    std::string all = kLatencyRun;
    for (size_t i = 0; i < all.size(); i += 37)
        p.feed(std::string_view(all).substr(i, 37));
    const TimerLatencyRun &r = p.latency();
    EXPECT_EQ(r.cntfrq, 62500000u);
    EXPECT_TRUE(r.done);
    EXPECT_TRUE(r.ok);
    ASSERT_EQ(r.rounds.count("wfi"), 1u);
    ASSERT_EQ(r.rounds.count("busy"), 1u);
    const LatencyRound &wfi = r.rounds.at("wfi");
    EXPECT_EQ(wfi.samples, 1000u);
    EXPECT_EQ(wfi.min_ns, 96);
    EXPECT_EQ(wfi.avg_ns, 46592);
    EXPECT_EQ(wfi.max_ns, 469072);  // the handler line, not the entry line
    ASSERT_EQ(wfi.histogram.size(), 8u);
    EXPECT_EQ(wfi.histogram[5].lower, 2048u);
    EXPECT_EQ(wfi.histogram[5].upper, 4096u);
    EXPECT_EQ(wfi.histogram[5].count, 820u);
    EXPECT_EQ(r.rounds.at("busy").histogram.size(), 1u);
    EXPECT_TRUE(p.ctl().empty());
}

TEST(SelftestParse, FailedRunAndEarlyInterrupts)
{
    ConsoleParser p;
    p.feed("timer-latency: mode=wfi hist >=8388608 ticks: 3\n"
           "timer-latency: mode=wfi ERROR: 2 interrupts before their deadline\n"
           "timer-latency: done, FAILED\n");
    EXPECT_TRUE(p.latency().done);
    EXPECT_FALSE(p.latency().ok);
    const LatencyRound &w = p.latency().rounds.at("wfi");
    EXPECT_EQ(w.early, 2u);
    ASSERT_EQ(w.histogram.size(), 1u);
    EXPECT_EQ(w.histogram[0].lower, 8388608u);
    EXPECT_EQ(w.histogram[0].upper, 0u);  // open
}

TEST(SelftestParse, PartialLineWaitsForItsEnd)
{
    ConsoleParser p;
    std::string line = std::string(kCtlLine) + "\n";
    p.feed(line.substr(0, 50));
    EXPECT_TRUE(p.ctl().empty());
    p.feed(line.substr(50));
    ASSERT_EQ(p.ctl().size(), 1u);
}

TEST(SelftestStats, Summary)
{
    std::vector<CtlSecond> s{{1, 10000, 0, -100, 2, 300, 900, 50}, {2, 10000, 1, -400, 4, 200, 1200, 60}};
    const CtlSummary sum = summarize(s);
    EXPECT_EQ(sum.seconds, 2u);
    EXPECT_EQ(sum.periods, 20000u);
    EXPECT_EQ(sum.misses, 1u);
    EXPECT_EQ(sum.jitter_min_ns, -400);
    EXPECT_EQ(sum.jitter_avg_ns, 3);
    EXPECT_EQ(sum.jitter_max_ns, 300);
    EXPECT_EQ(sum.latency_max_ns, 1200);
    EXPECT_EQ(summarize({}).seconds, 0u);
}

TEST(SelftestStats, QuantileIsTheBucketsUpperEdge)
{
    LatencyRound r;
    // 62.5 MHz: 16 ns a tick.
    r.histogram = {{4, 8, 980}, {64, 128, 15}, {1024, 2048, 5}};
    EXPECT_EQ(quantile_upper_ns(r, 0.98, 62500000), 128);     // rank 980: first bucket
    EXPECT_EQ(quantile_upper_ns(r, 0.99, 62500000), 2048);    // rank 990: second bucket
    EXPECT_EQ(quantile_upper_ns(r, 0.995, 62500000), 2048);   // rank 995: the last of the second
    EXPECT_EQ(quantile_upper_ns(r, 0.996, 62500000), 32768);  // rank 996: third bucket
    r.histogram.push_back({8388608, 0, 20});                  // open top bucket holds the tail
    EXPECT_EQ(quantile_upper_ns(r, 0.999, 62500000), std::nullopt);
    EXPECT_EQ(quantile_upper_ns(LatencyRound{}, 0.99, 62500000), std::nullopt);
}

TEST(SelftestStats, TicksToNs)
{
    EXPECT_EQ(ticks_to_ns(62500000, 62500000), 1000000000);
    EXPECT_EQ(ticks_to_ns(3, 54000000), 55);
    EXPECT_EQ(ticks_to_ns(1ull << 40, 1000000000), static_cast<std::int64_t>(1ull << 40));
    EXPECT_EQ(ticks_to_ns(5, 0), 0);
}

TEST(SelftestHistogram, BarsScaleAndOutliersStayVisible)
{
    LatencyRound r;
    r.histogram = {{4, 8, 1000}, {16384, 32768, 1}, {8388608, 0, 2}};
    const std::string h = histogram_text(r, 62500000, 40);
    EXPECT_NE(h.find("[       64,       128) ns   1000 " + std::string(40, '#') + "\n"), std::string::npos) << h;
    EXPECT_NE(h.find("[   262144,    524288) ns      1 #\n"), std::string::npos) << h;
    EXPECT_NE(h.find("[134217728,       ...) ns      2 #\n"), std::string::npos) << h;
}

Phase good_phase(const std::string &name)
{
    Phase p;
    p.name = name;
    for (std::uint64_t s = 1; s <= 5; s++)
        p.ctl.push_back({s, 10000, 0, -6432, 0, 6432, 6656, 224});
    ConsoleParser parser;
    parser.feed(kLatencyRun);
    p.latency = parser.latency();
    p.exits[MOAT_EXIT_IRQ] = 50000;
    p.exits[MOAT_EXIT_HYPERCALL] = 5;
    p.exit_seconds = 5.0;
    p.cell_cpu = 3;
    p.cpu_offline_in_linux = true;
    return p;
}

Report good_report()
{
    Report r;
    r.tool_abi = r.driver_abi = "3.2";
    r.hv_abi = "3.2 on 4 CPUs";
    r.kernel = "Linux 6.1.0-28-arm64";
    r.board = "linux,dummy-virt (QEMU virt, GICv3)";
    r.board_dir = "/cells";
    r.emulated = true;
    r.duration_s = 5;
    r.phases = {good_phase("idle"), good_phase("stressed")};
    return r;
}

TEST(SelftestVerdict, PassAndReport)
{
    const Report r = good_report();
    EXPECT_TRUE(verdict(r).pass);
    const std::string text = format_report(r);
    EXPECT_NE(text.find("emulated:        yes (QEMU)"), std::string::npos);
    EXPECT_NE(text.find("phase idle (Linux idle):\n"), std::string::npos);
    EXPECT_NE(text.find("phase stressed (Linux under"), std::string::npos);
    EXPECT_NE(text.find("  ctl-loop 10 kHz:  5 s reported, 50000 periods, 0 deadline misses\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  ctl-loop jitter:  min -6432 ns, avg 0 ns, max 6432 ns; release latency max 6656 ns\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("  timer latency (wfi): 1000 samples, min 96 ns, avg 46592 ns, max 469072 ns, p99 < 131072 ns\n"),
              std::string::npos) << text;
    EXPECT_NE(text.find("  exits/s on CPU 3: hypercall 1.0 irq 10000.0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("isolation: PASS"), std::string::npos);
    EXPECT_NE(text.find("\nselftest: PASS\n"), std::string::npos);
}

TEST(SelftestVerdict, EachFailureIsNamed)
{
    struct Case {
        const char *want;
        void (*spoil)(Report &);
    };
    const Case cases[] = {
        {"moat enable failed", [](Report &r) { r.errors.push_back("moat enable failed: no"); }},
        {"phase stressed: 2 deadline misses", [](Report &r) {
             r.emulated = false;
             r.phases[1].ctl[2].misses = 2;
         }},
        {"phase idle: the ctl-loop reported 4 of 5 seconds", [](Report &r) { r.phases[0].ctl.pop_back(); }},
        {"phase idle: isolation: 7 abort_denied exits on the cell's CPU 3",
         [](Report &r) { r.phases[0].exits[MOAT_EXIT_ABORT_DENIED] = 7; }},
        {"phase stressed: CPU 3 stayed online", [](Report &r) { r.phases[1].cpu_offline_in_linux = false; }},
        {"phase idle: the timer-latency demo did not finish", [](Report &r) { r.phases[0].latency.done = false; }},
        {"phase idle: the timer-latency demo reported FAILED", [](Report &r) { r.phases[0].latency.ok = false; }},
        {"phase stressed: timer-latency (busy): 1 interrupts before", [](Report &r) { r.phases[1].latency.rounds["busy"].early = 1; }},
        {"phase idle: moat cell create /cells/ctl-loop.cell did not finish within 30 s",
         [](Report &r) { r.phases[0].errors.push_back("moat cell create /cells/ctl-loop.cell did not finish within 30 s"); }},
        {"no phase ran", [](Report &r) { r.phases.clear(); }},
    };
    for (const Case &c : cases) {
        Report r = good_report();
        c.spoil(r);
        const Verdict v = verdict(r);
        EXPECT_FALSE(v.pass) << c.want;
        EXPECT_NE(v.reason.find(c.want), std::string::npos) << "wanted '" << c.want << "', got '" << v.reason << "'";
        EXPECT_NE(format_report(r).find("selftest: FAIL (" + v.reason + ")\n"), std::string::npos);
    }
}

TEST(SelftestVerdict, EmulatedMissesAreReportedNotJudged)
{
    Report r = good_report();
    r.phases[1].ctl[0].misses = 31937;
    EXPECT_TRUE(verdict(r).pass);
    const std::string text = format_report(r);
    EXPECT_NE(text.find("  ctl-loop 10 kHz:  5 s reported, 50000 periods, 31937 deadline misses\n"
                        "  (misses not judged: emulated;"),
              std::string::npos) << text;
    r.emulated = false;
    EXPECT_EQ(verdict(r).reason, "phase stressed: 31937 deadline misses in the ctl-loop");
    EXPECT_EQ(format_report(r).find("not judged"), std::string::npos);
}

TEST(SelftestVerdict, IsolationLineNamesTheExit)
{
    Report r = good_report();
    r.phases[1].exits[MOAT_EXIT_MMIO] = 4;
    EXPECT_NE(format_report(r).find("isolation: FAIL (4 mmio exits on the cell's CPU 3 during phase stressed)"),
              std::string::npos);
}

TEST(SelftestReport, HardwareHasNoEmulatedLine)
{
    Report r = good_report();
    r.emulated = false;
    EXPECT_EQ(format_report(r).find("emulated:"), std::string::npos);
}

TEST(SelftestReport, HistogramCsv)
{
    const std::string csv = histogram_csv(good_report());
    EXPECT_EQ(csv.rfind("phase,mode,lower_ns,upper_ns,count\n", 0), 0u);
    EXPECT_NE(csv.find("idle,wfi,32768,65536,820\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("stressed,busy,64,128,1000\n"), std::string::npos) << csv;
}

}  // namespace
}  // namespace moat::selftest
