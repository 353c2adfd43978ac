// generate: {type: chrome_history | firefox_places} in a recipe: the visits and the downloads,
// each checked at its line (docs/recipe-format.md).
#include <algorithm>
#include <string>

#include "images/browser_history.hpp"
#include "images/recipe_contents.hpp"
#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images::recipe_detail {

namespace {

BrowserVisit parse_visit(const Context& ctx, const Field& item, size_t index) {
    MapReader m(ctx, item.node, item.mark, "visit " + std::to_string(index + 1),
                {"url", "title", "time", "transition"});
    BrowserVisit v;
    v.url = text_value(ctx, m.need("url", "give the page's address, e.g. url: https://a.example/"));
    if (const Field* f = m.find("title")) v.title = text_value(ctx, *f);
    v.time =
        time_value(ctx, m.need("time", "give when it was visited, e.g. time: 2024-03-05T09:00:00"));
    if (const Field* f = m.find("transition")) {
        v.transition = keyword_value(ctx, *f, "a transition, e.g. typed");
        if (std::find(std::begin(engine::kChromeTransitions), std::end(engine::kChromeTransitions),
                      v.transition) == std::end(engine::kChromeTransitions))
            ctx.fail(f->mark, "unknown transition " + quote(v.transition) +
                                  "; use link, typed, auto_bookmark, auto_subframe, "
                                  "manual_subframe, generated, auto_toplevel, form_submit, "
                                  "reload, keyword or keyword_generated");
    }
    return v;
}

BrowserDownload parse_download(const Context& ctx, const Field& item, size_t index) {
    MapReader m(ctx, item.node, item.mark, "download " + std::to_string(index + 1),
                {"url", "referrer", "target_path", "start", "end", "size", "mime"});
    BrowserDownload d;
    d.url = text_value(ctx, m.need("url", "give the file's address, e.g. url: https://a/x.zip"));
    if (const Field* f = m.find("referrer")) d.referrer = text_value(ctx, *f);
    d.target_path = text_value(
        ctx, m.need("target_path", "give where it was saved, e.g. 'C:\\Users\\anna\\x.zip'"));
    const Field start =
        m.need("start", "give when the download started, e.g. start: 2024-03-05T09:02:00");
    d.start = time_value(ctx, start);
    d.end = d.start;
    if (const Field* f = m.find("end")) {
        d.end = time_value(ctx, *f);
        if (d.end < d.start)
            ctx.fail(f->mark, "the download ends before it starts; fix 'end' or 'start'");
    }
    d.size = size_value(ctx, m.need("size", "give the file's size, e.g. size: 2MiB"));
    if (d.size > uint64_t{INT64_MAX})
        ctx.fail(item.mark, "the download's size is too large for the database; make it smaller");
    if (const Field* f = m.find("mime")) d.mime_type = text_value(ctx, *f);
    return d;
}

}  // namespace

void parse_browser_history(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    BrowserHistorySpec& spec = out.browser_history;
    if (const Field* f = g.find("visits")) {
        const YAML::Node& list = list_value(ctx, *f, "a list of {url, title, time}");
        for (size_t i = 0; i < list.size(); ++i)
            spec.visits.push_back(parse_visit(ctx, item_field(ctx, *f, i), i));
    }
    if (const Field* f = g.find("downloads")) {
        const YAML::Node& list =
            list_value(ctx, *f, "a list of {url, referrer, target_path, start, end, size}");
        for (size_t i = 0; i < list.size(); ++i)
            spec.downloads.push_back(parse_download(ctx, item_field(ctx, *f, i), i));
    }
    if (spec.visits.empty() && spec.downloads.empty())
        ctx.fail(g.mark(), "a browser history needs visits or downloads; add one");
}

}  // namespace dflab::images::recipe_detail
