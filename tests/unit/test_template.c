/* test_template.c -- the Go text/template engine: syntax, scopes, functions,
 * Alertmanager's data model, HTML escaping, errors and limits.  Expected
 * outputs are Go's (checked against Go/Alertmanager 0.25 where noted; the
 * integration test t_template_diff.sh compares with a live Alertmanager). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "template.h"

static struct label l1[] = {
    {"alertname", "HighLatency"}, {"instance", "web-1"}, {"job", "api"}, {"severity", "critical"}};
static struct label a1[] = {{"description", "p99 <is> 1.5s & \"rising\""},
                            {"summary", "Latency > 1s"}};
static struct label l2[] = {
    {"alertname", "HighLatency"}, {"instance", "web-2"}, {"job", "api"}, {"severity", "critical"}};
static struct label a2[] = {{"summary", "Latency > 1s"}};
static struct label gl[] = {{"alertname", "HighLatency"}};
static struct label cl[] = {{"alertname", "HighLatency"}, {"job", "api"}, {"severity", "critical"}};
static struct label ca[] = {{"summary", "Latency > 1s"}};

static struct tmpl_alert alerts[] = {
    {"firing",
     {4, l1},
     {2, a1},
     1714557600123LL,
     TMPL_TIME_ZERO,
     "http://prom:9090/graph?g0.expr=up&g0.tab=1",
     "14c45fec1cfde37e"},
    {"resolved",
     {4, l2},
     {1, a2},
     1714554000000LL,
     1714557600000LL,
     "http://prom:9090/x",
     "c5652a64840d30ad"},
};

static struct tmpl_data data = {
    .receiver = "team\\.a",
    .status = "firing",
    .external_url = "http://am.example:9093",
    .alerts = alerts,
    .nalerts = 2,
    .group_labels = {1, gl},
    .common_labels = {3, cl},
    .common_annotations = {1, ca},
    .now_ms = 1714557660123LL, /* one minute after the first alert */
};

static struct tmpl_set *set;
static char out[1 << 16];

static void setup(void)
{
    struct errbuf err;
    set = tmpl_set_new();
    ck_assert_msg(tmpl_set_load_default(set, &err) == 0, "%s", err.msg);
}

static void teardown(void)
{
    tmpl_set_free(set);
}

/* Renders text; returns the output, or "ERR: <message>". */
static const char *render_ex(const char *text, bool html)
{
    struct buf b;
    struct errbuf err;
    buf_init(&b, 0);
    if (tmpl_exec_string(set, text, &data, html, &b, &err) < 0)
        snprintf(out, sizeof out, "ERR: %s", err.msg);
    else
        snprintf(out, sizeof out, "%s", buf_str(&b));
    buf_deinit(&b);
    return out;
}

static const char *render(const char *text)
{
    return render_ex(text, false);
}

/* Parses text as a file; returns "" or the error. */
static const char *parse_err(const char *text)
{
    struct errbuf err;
    struct tmpl_set *s = tmpl_set_new();
    int rc = tmpl_set_parse(s, "f.tmpl", text, strlen(text), &err);
    snprintf(out, sizeof out, "%s", rc == 0 ? "" : err.msg);
    tmpl_set_free(s);
    return out;
}

#define R(text, want) ck_assert_str_eq(render(text), want)

START_TEST(syntax_basics)
{
    R("plain text", "plain text");
    R("{{ 1 }} {{ 1.5 }} {{ \"s\" }} {{ `raw\\n` }} {{ 'a' }} {{ true }} {{ 0x1F }} {{ 1_000 }}",
      "1 1.5 s raw\\n 97 true 31 1000");
    R("{{ 1e3 }} {{ -2 }} {{ +3 }} {{ 0o17 }} {{ 0b101 }} {{ .5 }}", "1000 -2 3 15 5 0.5");
    R("a  {{- 1 -}}  b", "a1b");
    R("a \n\t{{- /* comment */ -}}\n b", "ab");
    R("x{{/* c */}}y", "xy");
    R("{{ \"a\\tb\\u00e9\\x41\" }}", "a\tb\xc3\xa9"
                                     "A");
    R("{{ .Status | toUpper | printf \"<%s>\" }}", "<FIRING>");
    R("{{ (index .Alerts 0).Labels.instance }}", "web-1");
    R("{{ printf \"%s-%s\" (.Status) (toUpper \"x\") }}", "firing-X");
    R("{{ $ := 1 }}", "");
    R("{{-3}}", "-3");
    R("{{\n.Status\n}}", "firing");
}
END_TEST

START_TEST(variables_and_scopes)
{
    R("{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}", "12");
    R("{{ $x := 1 }}{{ if true }}{{ $x = 3 }}{{ $y := 4 }}{{ $y }}{{ end }}{{ $x }}", "43");
    R("{{ range $i, $a := .Alerts }}{{ $i }}={{ $a.Labels.instance }};{{ end }}",
      "0=web-1;1=web-2;");
    R("{{ range $a := .Alerts }}{{ $a.Status }} {{ end }}", "firing resolved ");
    R("{{ range .Alerts }}{{ $.Receiver }} {{ end }}", "team\\.a team\\.a ");
    R("{{ with $s := .Status }}{{ $s }}{{ end }}", "firing");
    R("{{ if $v := .Alerts.Resolved }}{{ len $v }}{{ else }}{{ $v }}{{ end }}", "1");
    /* a variable declared inside a block is gone after its end */
    ck_assert_str_eq(parse_err("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}"),
                     "f.tmpl:1:39: undefined variable \"$y\"");
    ck_assert_str_eq(parse_err("{{ $z = 1 }}"), "f.tmpl:1:4: undefined variable \"$z\"");
    /* a template call gets its own $ */
    R("{{ define \"t\" }}{{ $ }}{{ end }}{{ template \"t\" \"arg\" }}", "arg");
}
END_TEST

START_TEST(control_structures)
{
    R("{{ if eq .Status \"x\" }}a{{ else if eq .Status \"firing\" }}b{{ else }}c{{ end }}", "b");
    R("{{ if false }}a{{ else if false }}b{{ else }}c{{ end }}", "c");
    R("{{ with .GroupLabels.missing }}a{{ else }}empty{{ end }}", "empty");
    R("{{ with .GroupLabels }}{{ .alertname }}{{ end }}", "HighLatency");
    R("{{ with \"\" }}a{{ else with .Status }}{{ . }}{{ end }}", "firing");
    R("{{ range .CommonLabels }}{{ . }},{{ end }}", "HighLatency,api,critical,");
    R("{{ range $k, $v := .CommonLabels }}{{ $k }}={{ $v }} {{ end }}",
      "alertname=HighLatency job=api severity=critical ");
    R("{{ range .CommonLabels.SortedPairs }}{{ .Name }}:{{ .Value }} {{ end }}",
      "alertname:HighLatency job:api severity:critical ");
    R("{{ range .CommonLabels.Names }}{{ . }} {{ end }}", "alertname job severity ");
    R("{{ range .Alerts.Firing }}{{ .Labels.instance }}{{ else }}none{{ end }}", "web-1");
    R("{{ range .CommonLabels.Remove .CommonLabels.Names }}x{{ else }}none{{ end }}", "none");
    R("{{ range .Alerts }}{{ if eq .Status \"firing\" }}{{ continue }}{{ end }}"
      "{{ .Labels.instance }}{{ end }}",
      "web-2");
    R("{{ range .Alerts }}{{ .Labels.instance }}{{ break }}{{ end }}", "web-1");
    /* truthiness: 0, "", empty list/map, nil are false; structs true */
    R("{{ if 0 }}a{{ end }}{{ if \"\" }}b{{ end }}{{ if .Alerts }}c{{ end }}"
      "{{ if .CommonAnnotations }}d{{ end }}{{ if (index .Alerts 0).StartsAt }}e{{ end }}"
      "{{ if 0.0 }}f{{ end }}",
      "cde");
    ck_assert_str_eq(
        render("{{ range 3 }}x{{ end }}"),
        "ERR: template: :1:4: executing \"\" at <range>: range can't iterate over int");
}
END_TEST

START_TEST(define_template_block)
{
    R("{{ define \"a\" }}A{{ .Status }}{{ end }}{{ template \"a\" . }}/{{ template \"a\" }}",
      "Afiring/A<no value>"); /* fields of nil data are empty, as in Go */
    R("{{ block \"b\" . }}default {{ .Status }}{{ end }}", "default firing");
    /* user files override defaults; an empty body does not replace a real one */
    struct errbuf err;
    const char *f1 = "{{ define \"__alertmanager\" }}Router{{ end }}";
    ck_assert_int_eq(tmpl_set_parse(set, "u1.tmpl", f1, strlen(f1), &err), 0);
    R("{{ template \"slack.default.username\" . }}", "Router");
    const char *f2 = "{{ define \"__alertmanager\" }}  {{ end }}";
    ck_assert_int_eq(tmpl_set_parse(set, "u2.tmpl", f2, strlen(f2), &err), 0);
    R("{{ template \"slack.default.username\" . }}", "Router");
    /* inline defines stay local to that execution */
    R("{{ define \"loc\" }}L{{ end }}{{ template \"loc\" }}", "L");
    ck_assert(!tmpl_set_has(set, "loc"));
    ck_assert(tmpl_set_has(set, "email.default.html"));
    ck_assert_str_eq(render("{{ template \"nope\" . }}"),
                     "ERR: template: :1:4: executing \"\" at <template>: template \"nope\" "
                     "not defined");
}
END_TEST

START_TEST(builtin_functions)
{
    R("{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }} {{ eq .Status \"firing\" }}",
      "true true false true true");
    R("{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 2.5 }} {{ ge \"b\" \"a\" }} {{ lt \"a\" \"b\" }}",
      "true true false true true");
    R("{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" 1 }} {{ not 0 }} {{ not .Alerts "
      "}}",
      "0 2  x true false");
    R("{{ len .Alerts }} {{ len .CommonLabels }} {{ len \"h\xc3\xa9\" }} {{ len .Alerts.Firing }}",
      "2 3 3 1");
    R("{{ index .CommonLabels \"job\" }} {{ index .CommonLabels \"nope\" }}|"
      "{{ (index .Alerts 1).Status }} {{ index .CommonLabels.Names 2 }}",
      "api |resolved severity");
    R("{{ print 1 2 \"a\" \"b\" 3 }}|{{ println 1 \"a\" }}|{{ print }}", "1 2ab3|1 a\n|");
    R("{{ html \"<a href='x'>&\\\"\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;");
    R("{{ js \"it's <b>\\\"=\" }}", "it\\'s \\u003Cb\\u003E\\\"\\u003D");
    R("{{ urlquery \"a b&c/d~\" }} {{ .Receiver | urlquery }}", "a+b%26c%2Fd~ team%5C.a");
    R("{{ printf \"%s|%d|%v|%q|%.2f|%x|%X|%5s|%-5s|%05d|%+d|%t|%c|%o|%b|%e|%g|%%\" "
      "\"s\" 42 1.5 \"q\\\"\" 3.14159 255 \"AB\" \"r\" \"l\" 42 7 true 65 8 5 1234.5 0.000012 }}",
      "s|42|1.5|\"q\\\"\"|3.14|ff|4142|    r|l    |00042|+7|true|A|10|101|1.234500e+03|1.2e-05|%");
    R("{{ printf \"%d %s\" \"x\" 5 }} {{ printf \"%d\" }} {{ printf \"x\" 1 \"y\" }}",
      "%!d(string=x) %!s(int=5) %!d(MISSING) x%!(EXTRA int=1, string=y)");
    R("{{ printf \"%v %v %v %v %v\" 1e6 123456.0 0.0001 1e-5 100.0 }}",
      "1e+06 123456 0.0001 1e-05 100");
    R("{{ printf \"%v|%s|%T\" .CommonLabels .CommonLabels.Values .Alerts }}",
      "map[alertname:HighLatency job:api severity:critical]|[HighLatency api critical]|"
      "template.Alerts");
    R("{{ printf \"%.3s|%6.2f|%-8v|\" \"abcdef\" 3.14159 true }}", "abc|  3.14|true    |");
}
END_TEST

START_TEST(alertmanager_functions)
{
    R("{{ toUpper \"abc\xc3\xa9\" }} {{ toLower \"ABC\xc3\x89\" }}", "ABC\xc3\x89 abc\xc3\xa9");
    R("{{ title \"hello wORLD foo-bar foo_bar it's a.b 1st\" }}",
      "Hello World Foo-Bar Foo_bar It's A.b 1st");
    R("{{ trimSpace \"  \\t x y \\n\" }}|", "x y|");
    R("{{ .CommonLabels.Values | join \", \" }}|{{ join \"-\" (stringSlice \"a\" \"b\") }}",
      "HighLatency, api, critical|a-b");
    R("{{ match \"^High\" .CommonLabels.alertname }} {{ match \"x+\" \"abc\" }} {{ match \"b\" "
      "\"abc\" }}",
      "true false true");
    R("{{ reReplaceAll \"\\\\.(.)\" \"-$1-\" \"a.b.c\" }} {{ reReplaceAll \"(?P<w>o+)\" \"[${w}]\" "
      "\"foo boo\" }}"
      " {{ reReplaceAll \"x*\" \"-\" \"abc\" }} {{ reReplaceAll \"a\" \"$$\" \"banana\" }}",
      "a-b--c- f[oo] b[oo] -a-b-c- b$n$n$");
    R("{{ reReplaceAll \"^(.*)$\" \"$1x\" \"v\" }}|{{ reReplaceAll \"(a)\" \"$1_\" \"ab\" }}",
      "|b"); /* Go reads "$1x" as the group named "1x" */
    R("{{ safeHtml \"<b>\" }} {{ safeUrl \"http://x\" }} {{ urlUnescape \"a%20b+c\" }}",
      "<b> http://x a b c");
    R("{{ with .CommonLabels.Remove (stringSlice \"alertname\" \"job\") }}{{ .Values }}{{ end }}",
      "[critical]");
    R("{{ toJson .CommonLabels }} {{ toJson \"<a>\" }} {{ toJson 1.5 }} {{ toJson "
      ".CommonLabels.Names }}",
      "{\"alertname\":\"HighLatency\",\"job\":\"api\",\"severity\":\"critical\"} "
      "\"\\u003ca\\u003e\" 1.5 [\"alertname\",\"job\",\"severity\"]");
    R("{{ toJson (index .Alerts 1).StartsAt }}", "\"2024-05-01T09:00:00Z\"");
    ck_assert_str_eq(render("{{ match \"(\" \"x\" }}"),
                     "ERR: template: :1:4: executing \"\" at <match \"(\" \"x\">: error calling "
                     "match: error parsing regexp: missing closing ): `(`");
}
END_TEST

START_TEST(time_functions)
{
    R("{{ (index .Alerts 0).StartsAt }}", "2024-05-01 10:00:00.123 +0000 UTC");
    R("{{ (index .Alerts 0).EndsAt }} {{ (index .Alerts 0).EndsAt.IsZero }}",
      "0001-01-01 00:00:00 +0000 UTC true");
    R("{{ (index .Alerts 0).StartsAt.Format \"2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:04PM\" }}",
      "2024-05-01T10:00:00.123Z Wed May  1 10:00AM");
    R("{{ (index .Alerts 0).StartsAt.Unix }} {{ (index .Alerts 0).StartsAt.UnixMilli }}",
      "1714557600 1714557600123");
    R("{{ date \"02.01.06 15h\" (index .Alerts 1).StartsAt }}", "01.05.24 09h");
    R("{{ (index .Alerts 1).StartsAt | tz \"Europe/Berlin\" }}", "2024-05-01 11:00:00 +0200 CEST");
    R("{{ date \"15:04 MST\" ((index .Alerts 1).StartsAt | tz \"America/New_York\") }}",
      "05:00 EDT");
    ck_assert_str_eq(render("{{ tz \"Mars/Base\" (index .Alerts 1).StartsAt }}"),
                     "ERR: template: :1:4: executing \"\" at <tz \"Mars/Base\" (index .Alerts "
                     "1).StartsAt>: error calling tz: unknown time zone Mars/Base");
    R("{{ since (index .Alerts 0).StartsAt }} {{ (index .Alerts 0).StartsAt | since | "
      "humanizeDuration }}",
      "1m0s 1m 0s");
    R("{{ humanizeDuration 0 }} {{ humanizeDuration 1.5 }} {{ humanizeDuration 90061 }} "
      "{{ humanizeDuration 0.0015 }} {{ humanizeDuration \"3600\" }} {{ humanizeDuration -61 }}",
      "0s 1.5s 1d 1h 1m 1s 1.5ms 1h 0m 0s -1m 1s");
    R("{{ ((index .Alerts 0).StartsAt.Sub (index .Alerts 1).StartsAt) }} "
      "{{ ((index .Alerts 0).StartsAt.Sub (index .Alerts 1).StartsAt).Minutes }}",
      "1h0m0.123s 60.00205");
}
END_TEST

START_TEST(data_model)
{
    R("{{ .Receiver }} {{ .Status }} {{ .ExternalURL }} {{ len .Alerts.Resolved }}",
      "team\\.a firing http://am.example:9093 1");
    R("{{ range .Alerts }}{{ .Fingerprint }} {{ .GeneratorURL }} {{ .Labels.alertname }} "
      "{{ index .Annotations \"summary\" }}\n{{ end }}",
      "14c45fec1cfde37e http://prom:9090/graph?g0.expr=up&g0.tab=1 HighLatency Latency > 1s\n"
      "c5652a64840d30ad http://prom:9090/x HighLatency Latency > 1s\n");
    R("{{ .CommonLabels.SortedPairs.Names }} {{ .CommonLabels.SortedPairs.Values }}",
      "[alertname job severity] [HighLatency api critical]");
    R("{{ .CommonLabels.missing }}|{{ .GroupLabels.SortedPairs }}", "|[{alertname HighLatency}]");
    /* SortedPairs: alertname first, then by name */
    R("{{ range (index .Alerts 0).Annotations.SortedPairs }}{{ .Name }} {{ end }}",
      "description summary ");
    R("{{ template \"__subject\" . }}", "[FIRING:1] HighLatency (api critical)");
    R("{{ template \"slack.default.titlelink\" . }}",
      "http://am.example:9093/#/alerts?receiver=team%5C.a");
    R("{{ template \"slack.default.color\" . }}", "danger");
}
END_TEST

START_TEST(html_escaping)
{
    ck_assert_str_eq(render_ex("<p>{{ (index .Alerts 0).Annotations.description }}</p>", true),
                     "<p>p99 &lt;is&gt; 1.5s &amp; &#34;rising&#34;</p>");
    ck_assert_str_eq(render_ex("{{ \"<b>\" | safeHtml }} {{ \"a+b\" }} {{ 1 }}", true),
                     "<b> a&#43;b 1");
    ck_assert_str_eq(render_ex("{{ \"<b>\" }}", false), "<b>");
    render_ex("{{ template \"email.default.html\" . }}", true);
    ck_assert_ptr_nonnull(strstr(out, "p99 &lt;is&gt; 1.5s &amp; &#34;rising&#34;"));
    ck_assert_ptr_nonnull(strstr(out, "[FIRING:1] HighLatency (api critical)</title>"));
    ck_assert_ptr_nonnull(strstr(out, "[1] Firing"));
    ck_assert_ptr_nonnull(strstr(out, "[1] Resolved"));
    ck_assert_ptr_null(strstr(out, "<is>"));
}
END_TEST

START_TEST(parse_errors)
{
    ck_assert_str_eq(parse_err("ok\n  {{ .X "), "f.tmpl:2:9: unclosed action");
    ck_assert_str_eq(parse_err("{{ if .X }}a"), "f.tmpl:1:13: unexpected EOF");
    ck_assert_str_eq(parse_err("{{ end }}"), "f.tmpl:1:4: unexpected {{end}}");
    ck_assert_str_eq(parse_err("a\n{{ nofunc 1 }}"), "f.tmpl:2:4: function \"nofunc\" not defined");
    ck_assert_str_eq(parse_err("{{ \"abc }}"), "f.tmpl:1:4: unterminated quoted string");
    ck_assert_str_eq(parse_err("{{ /* x */ }}"),
                     "f.tmpl:1:4: unrecognized character in action: 0x2f");
    ck_assert_str_eq(parse_err("{{/* x "), "f.tmpl:1:1: unclosed comment");
    ck_assert_str_eq(parse_err("{{ .X | 1 }}"),
                     "f.tmpl:1:9: non executable command in pipeline stage 2");
    ck_assert_str_eq(parse_err("{{ }}"), "f.tmpl:1:4: missing value for command");
    ck_assert_str_eq(parse_err("{{ if }}{{ end }}"), "f.tmpl:1:7: missing value for if");
    ck_assert_str_eq(parse_err("{{ break }}"), "f.tmpl:1:4: {{break}} outside {{range}}");
    ck_assert_str_eq(parse_err("{{ if 1 }}{{ define \"x\" }}{{ end }}{{ end }}"),
                     "f.tmpl:1:14: unexpected \"define\" in command");
    ck_assert_str_eq(parse_err("{{ template .X }}"),
                     "f.tmpl:1:13: unexpected \".X\" in template clause");
    ck_assert_str_eq(parse_err("{{ 1.2.3 }}"), "f.tmpl:1:4: bad number syntax: \"1.2.\"");
    ck_assert_str_eq(parse_err("{{ (1 }}"), "f.tmpl:1:7: unclosed left paren");
    ck_assert_str_eq(parse_err("{{ if 1 }}{{ else }}{{ else }}{{ end }}"),
                     "f.tmpl:1:24: expected end; found {{else}}");
    char deep[1200];
    memset(deep, '(', 600);
    memcpy(deep + 600, "1", 2);
    char *d = malloc(2000);
    snprintf(d, 2000, "{{ %s }}", deep);
    ck_assert_ptr_nonnull(strstr(parse_err(d), "nested too deeply"));
    free(d);
    /* a config field checked up front */
    struct errbuf err;
    ck_assert_int_eq(tmpl_check_string(set, "slack_configs[0].title", "{{ .X ", &err), -1);
    ck_assert_str_eq(err.msg, "slack_configs[0].title:1:7: unclosed action");
    ck_assert_int_eq(tmpl_check_string(set, "t", "{{ template \"__subject\" . }}", &err), 0);
}
END_TEST

START_TEST(exec_errors)
{
    ck_assert_str_eq(render("{{ .Nope }}"),
                     "ERR: template: :1:4: executing \"\" at <.Nope>: can't evaluate field Nope "
                     "in type *template.Data");
    ck_assert_str_eq(render("{{ .Status.X }}"),
                     "ERR: template: :1:4: executing \"\" at <.Status.X>: can't evaluate field X "
                     "in type string");
    ck_assert_str_eq(render("{{ index .Alerts 5 }}"),
                     "ERR: template: :1:4: executing \"\" at <index .Alerts 5>: error calling "
                     "index: index out of range: 5");
    ck_assert_str_eq(render("{{ eq 1 \"a\" }}"),
                     "ERR: template: :1:4: executing \"\" at <eq 1 \"a\">: error calling eq: "
                     "incompatible types for comparison");
    ck_assert_str_eq(render("{{ lt true false }}"),
                     "ERR: template: :1:4: executing \"\" at <lt true false>: error calling lt: "
                     "invalid type for comparison");
    ck_assert_str_eq(render("{{ toUpper 1 }}"),
                     "ERR: template: :1:4: executing \"\" at <toUpper 1>: error calling toUpper: "
                     "wrong type for value; expected string; got int");
    ck_assert_str_eq(render("{{ len 3 }}"),
                     "ERR: template: :1:4: executing \"\" at <len 3>: error calling len: len of "
                     "type int");
    ck_assert_str_eq(render("{{ not }}"),
                     "ERR: template: :1:4: executing \"\" at <not>: wrong number of args for not: "
                     "want 1 got 0");
    ck_assert_str_eq(render("{{ 1 2 }}"),
                     "ERR: template: :1:4: executing \"\" at <1>: can't give argument to "
                     "non-function 1");
    ck_assert_str_eq(render("{{ nil }}"),
                     "ERR: template: :1:4: executing \"\" at <nil>: nil is not a command");
    ck_assert_str_eq(render("{{ .CommonLabels.Remove }}"),
                     "ERR: template: :1:4: executing \"\" at <.CommonLabels.Remove>: wrong number "
                     "of args for Remove: want 1 got 0");
    ck_assert_str_eq(render("{{ .CommonLabels.job 1 }}"),
                     "ERR: template: :1:4: executing \"\" at <.CommonLabels.job>: job is not a "
                     "method but has arguments");
    ck_assert_str_eq(render("{{ .X"), "ERR: template: :1:6: unclosed action");
    R("", ""); /* an empty field renders empty, as in Alertmanager */
    /* executing inside a named template reports that template */
    struct errbuf err;
    const char *f = "{{ define \"bad\" }}\n  {{ .Nope }}{{ end }}";
    ck_assert_int_eq(tmpl_set_parse(set, "user.tmpl", f, strlen(f), &err), 0);
    ck_assert_str_eq(render("{{ template \"bad\" . }}"),
                     "ERR: template: user.tmpl:2:6: executing \"bad\" at <.Nope>: can't evaluate "
                     "field Nope in type *template.Data");
}
END_TEST

START_TEST(limits)
{
    /* unbounded recursion stops at the depth limit */
    ck_assert_ptr_nonnull(strstr(render("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}"
                                        "{{ template \"r\" . }}"),
                                 "exceeded maximum template depth"));
    /* exponential output stops at the output limit */
    ck_assert_ptr_nonnull(strstr(
        render(
            "{{ define \"x\" }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}"
            "{{ define \"y\" }}{{ range $.Alerts }}{{ range $.Alerts }}{{ template \"x\" }}"
            "{{ end }}{{ end }}{{ end }}"
            "{{ define \"z\" }}{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
            "{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
            "{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
            "{{ range $.Alerts }}{{ range $.Alerts }}{{ template \"y\" $ }}{{ end }}{{ end }}"
            "{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}"
            "{{ end }}{{ end }}{{ end }}{{ template \"z\" . }}"),
        "template output exceeds limit"));
    /* growing strings stop at the scratch limit or output limit, never crash */
    const char *r =
        render("{{ $s := \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }}"
               "{{ range .Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
               "{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
               "{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
               "{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
               "{{ range $.Alerts }}{{ range $.Alerts }}{{ range $.Alerts }}"
               "{{ $s = printf \"%s%s\" $s $s }}"
               "{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}"
               "{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ len $s }}");
    ck_assert_msg(strncmp(r, "ERR: ", 5) == 0, "%.100s", r);
}
END_TEST

START_TEST(default_texts)
{
    /* resolved-only notification: no count, no parenthesised part when
     * common labels equal group labels (the subject then ends in a space) */
    struct tmpl_alert one = alerts[1];
    struct tmpl_data d = data;
    d.status = "resolved";
    d.alerts = &one;
    d.nalerts = 1;
    d.common_labels = d.group_labels;
    struct buf b;
    struct errbuf err;
    buf_init(&b, 0);
    ck_assert_int_eq(tmpl_exec_named(set, "__subject", &d, false, &b, &err), 0);
    ck_assert_str_eq(buf_str(&b), "[RESOLVED] HighLatency ");
    buf_reset(&b);
    ck_assert_int_eq(tmpl_exec_named(set, "msteamsv2.default.text", &d, false, &b, &err), 0);
    ck_assert_str_eq(buf_str(&b),
                     "\n\n\n# Alerts Resolved:\n\nLabels:\n  - alertname = HighLatency\n"
                     "  - instance = web-2\n  - job = api\n  - severity = critical\n\n"
                     "Annotations:\n  - summary = Latency > 1s\n\nSource: "
                     "http://prom:9090/x\n\n\n\n");
    buf_reset(&b);
    ck_assert_int_eq(tmpl_exec_named(set, "nope", &d, false, &b, &err), -1);
    buf_deinit(&b);
}
END_TEST

Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, syntax_basics);
    tcase_add_test(tc, variables_and_scopes);
    tcase_add_test(tc, control_structures);
    tcase_add_test(tc, define_template_block);
    tcase_add_test(tc, builtin_functions);
    tcase_add_test(tc, alertmanager_functions);
    tcase_add_test(tc, time_functions);
    tcase_add_test(tc, data_model);
    tcase_add_test(tc, html_escaping);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, exec_errors);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, default_texts);
    suite_add_tcase(s, tc);
    return s;
}
