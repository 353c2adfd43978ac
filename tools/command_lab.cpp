// dflab lab: run a lab session over a lab record (scoring/lab_record.hpp): participants,
// submissions graded on the spot, hints, instructor reviews, scoreboard and export.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "common/input_file.hpp"
#include "common/message_value.hpp"
#include "common/sqlite.hpp"
#include "engine/error.hpp"
#include "scoring/access_codes.hpp"
#include "scoring/findings.hpp"
#include "scoring/lab_csv.hpp"
#include "scoring/lab_export.hpp"
#include "scoring/lab_grading.hpp"
#include "scoring/report_data.hpp"
#include "scoring/report_html.hpp"
#include "scoring/report_svg.hpp"
#include "tools/commands.hpp"
#include "tools/text_columns.hpp"

namespace dflab::tools {

using engine::Error;
using namespace dflab::scoring;

namespace {

struct LabArgs {
    std::string db, key, id, name, team, file, output, format, table = "submissions";
    std::string participant, question, findings, comment, reviewer, url, lang = "en", csv;
    std::vector<std::string> values, dbs;
    std::optional<int> variant;
    int64_t submission = 0;
    double points = 0;
    bool json = false, teams = false, json_value = false, bom = false;
    std::string team_rule = "mean";
};

// The text of hint `number` (from 1) of `question` in the answer key stored in the lab record, in
// `language` (else English, else the first it has); "" when the key holds no text for it.
std::string hint_text(const std::string& answer_key, std::string_view question, int number,
                      const std::string& language) {
    const auto key = nlohmann::json::parse(answer_key, nullptr, false);
    if (!key.is_object() || !key.contains("questions")) return "";
    for (const auto& q : key["questions"]) {
        if (q.value("id", "") != question) continue;
        const auto hints = q.value("hints", nlohmann::json::array());
        if (number < 1 || static_cast<size_t>(number) > hints.size()) return "";
        const auto text = hints[static_cast<size_t>(number - 1)].value("text", nlohmann::json());
        if (text.is_string()) return text.get<std::string>();
        if (!text.is_object() || text.empty()) return "";
        for (const std::string& l : {language, std::string("en")})
            if (text.contains(l) && text[l].is_string()) return text[l].get<std::string>();
        return text.begin()->is_string() ? text.begin()->get<std::string>() : "";
    }
    return "";
}

// The outcome's texts in `language` (the stored English ones when a message is missing).
SubmitOutcome in_language(SubmitOutcome o, const std::string& language) {
    if (!o.feedback_message.empty()) o.feedback = common::render(language, o.feedback_message);
    if (!o.refused_message.empty()) o.refused = common::render(language, o.refused_message);
    return o;
}

nlohmann::ordered_json outcome_json(const SubmitOutcome& o) {
    return {{"question", o.question},
            {"stored", o.refused.empty()},
            {"understood", o.understood},
            {"refused", o.refused.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.refused)},
            {"submission", o.submission},
            {"verdict", o.refused.empty() ? nlohmann::json(to_string(o.verdict)) : nullptr},
            {"points", o.points},
            {"max_points", o.max_points},
            {"attempts", o.attempts},
            {"max_attempts", o.max_attempts},
            {"normalised", o.normalised},
            {"feedback", o.feedback}};
}

void print_outcome(const SubmitOutcome& o) {
    if (!o.understood) {
        std::cout << o.question << ": not understood, no attempt used\n  " << o.feedback << "\n";
        return;
    }
    if (!o.refused.empty()) {
        std::cout << o.question << ": not accepted: " << o.refused << "\n";
        return;
    }
    std::string verdict(to_string(o.verdict));
    std::replace(verdict.begin(), verdict.end(), '_', ' ');
    std::cout << o.question << ": " << verdict << ", " << format_number(o.points) << " of "
              << format_number(o.max_points) << " points (attempt " << o.attempts
              << (o.max_attempts > 0 ? " of " + std::to_string(o.max_attempts) : "") << ")\n  "
              << o.feedback << "\n";
}

// VALUE... as the JSON the grader takes: one string, or a list for several values or a set.
nlohmann::json submitted_value(const LabArgs& a, const Lab& lab) {
    if (a.json_value) {
        if (a.values.size() != 1) throw Error("--json takes exactly one VALUE");
        auto v = nlohmann::json::parse(a.values[0], nullptr, false);
        if (v.is_discarded()) throw Error("VALUE: not valid JSON");
        return v;
    }
    const KeyQuestion* q = lab.key().find(a.question);
    if (a.values.size() == 1 && !(q && q->type == "set")) return a.values[0];
    return a.values;
}

void submit(const LabArgs& a, int& exit_code) {
    LabRecord record(a.db);
    Lab lab(record, clock_from_environment());
    std::vector<SubmitOutcome> outcomes;
    if (!a.findings.empty()) {
        if (!a.participant.empty())
            throw Error("give --findings FILE or PARTICIPANT QUESTION VALUE");
        Findings f = load_findings(a.findings);
        check_findings(f, lab.key());
        auto p = record.participant(f.participant);
        if (!p) throw Error(a.findings + ": participant " + f.participant + " is not in the lab");
        if (p->variant != f.variant) {
            std::cerr << "dflab: warning: " << a.findings << ": variant " << f.variant
                      << " differs from participant " << p->id << "'s variant " << p->variant
                      << " in the lab record; graded as variant " << p->variant << "\n";
        }
        try {
            outcomes = lab.submit_all(f.participant, f.answers);
        } catch (const Error& e) {
            throw Error(a.findings + ": " + e.what());
        }
    } else {
        if (a.participant.empty() || a.question.empty() || a.values.empty())
            throw Error("give PARTICIPANT QUESTION VALUE, or --findings FILE");
        SubmitOutcome o = lab.submit(a.participant, a.question, submitted_value(a, lab));
        if (!o.refused.empty() && o.understood && !a.json)
            throw Error(a.participant + "/" + a.question +
                        ": not accepted: " + in_language(o, a.lang).refused);
        outcomes.push_back(std::move(o));
    }
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    size_t refused = 0;
    for (const auto& o : outcomes) {
        refused += o.refused.empty() ? 0 : 1;
        if (a.json)
            list.push_back(outcome_json(in_language(o, a.lang)));
        else
            print_outcome(in_language(o, a.lang));
    }
    if (a.json) std::cout << list.dump(2) << "\n";
    if (refused > 0 && !a.json) std::cerr << "dflab: " << refused << " answer(s) not accepted\n";
    exit_code = refused > 0 ? 1 : 0;
}

// New access codes for every participant of the records in a.dbs: one code per participant id,
// the same in each record that has the id. Only hashes are stored (replacing earlier codes); the
// codes themselves are written once, to the slips of a.output or as CSV on standard output. All
// records are changed in transactions committed only after the codes were written out.
void access_codes(const LabArgs& a) {
    const std::string now = utc_iso(clock_from_environment()());
    std::vector<std::unique_ptr<LabRecord>> records;
    for (const auto& db : a.dbs) {
        for (const auto& r : records) {
            std::error_code ec;
            if (std::filesystem::equivalent(r->path(), db, ec))
                throw Error("--db " + db + ": the same lab record is given twice");
        }
        records.push_back(std::make_unique<LabRecord>(db));
    }
    std::map<std::string, ParticipantRow> people;  // by id: the first record's name and team
    for (auto& r : records)
        for (auto& p : r->participants()) people.emplace(p.id, std::move(p));
    if (people.empty()) throw Error(a.dbs.front() + ": no participants yet (add them first)");

    const auto generated = generate_codes(people.size());
    std::map<std::string, std::pair<std::string, std::string>> code_of;  // id -> code, hash
    std::vector<CodeSlip> slips;
    size_t next = 0;
    for (const auto& [id, p] : people) {
        const std::string& code = generated[next++];
        code_of[id] = {code, hash_code(code)};
        slips.push_back({id, p.name, p.team, code});
    }

    std::vector<std::unique_ptr<common::Transaction>> transactions;
    std::string stored;
    for (auto& r : records) {
        transactions.push_back(std::make_unique<common::Transaction>(r->database()));
        std::vector<AccessCodeRow> rows;
        for (const auto& p : r->participants()) {
            const auto& [code, hash] = code_of.at(p.id);
            rows.push_back({p.id, code_handle(code), hash, now});
        }
        r->set_access_codes(rows);
        r->append_audit(now, "access_codes", r->info().pack, {{"participants", rows.size()}});
        stored += (stored.empty() ? "" : ", ") + r->path().string() + " (" +
                  std::to_string(rows.size()) + ")";
    }
    std::string csv = std::string(a.bom ? "\xEF\xBB\xBF" : "") + "id,name,code\n";
    for (const auto& s : slips) {
        std::string line = csv_line(std::vector<std::string>{s.id, s.name, format_code(s.code)},
                                    {true, true, false});
        if (line.ends_with("\r\n")) line.erase(line.size() - 2, 1);
        csv += line;
    }
    if (!a.output.empty())
        write_private_file(a.output, code_sheet_html(slips, a.url, a.lang, a.dbs));
    if (!a.csv.empty()) write_private_file(a.csv, csv);
    if (a.output.empty() && a.csv.empty()) {
        std::cout << csv << std::flush;
        if (!std::cout) throw Error("standard output: cannot write the codes; none stored");
    }
    for (auto& t : transactions) t->commit();
    std::ostream& note = a.output.empty() ? std::cerr : std::cout;
    note << (a.output.empty() ? "dflab: " : "") << "new access codes for " << slips.size()
         << " participant(s) stored (hashed) in " << stored << "; earlier codes no longer work\n";
    if (a.output.empty())
        note << "dflab: the codes above are shown only this once\n";
    else
        note << "slips written to " << a.output
             << ": print them, hand them out, then delete the file (the codes are kept nowhere "
                "else)\n";
}

// The one lab record the participant commands other than 'codes' take.
std::string single_db(const LabArgs& a) {
    if (a.dbs.size() != 1)
        throw Error("--db: give one lab record (several only for 'participants codes')");
    return a.dbs.front();
}

void participants(CLI::App* add, CLI::App* import, CLI::App* codes, const LabArgs& a) {
    if (codes->parsed()) return access_codes(a);
    LabRecord record(single_db(a));
    Lab lab(record, clock_from_environment());
    if (add->parsed()) {
        auto p = lab.add_participant(a.id, a.name, a.team, a.variant);
        std::cout << "added " << p.id << " (" << p.name << ")"
                  << (p.team.empty() ? "" : ", team " + p.team) << ", variant " << p.variant
                  << "\n";
        return;
    }
    if (import->parsed()) {
        // A regular file of at most 16 MiB (a link to /dev/zero or a FIFO is refused at once).
        auto text = common::read_input_file(a.file, 16u << 20, "participant list (CSV)");
        auto added = lab.import_participants(text, a.file);
        std::cout << "added " << added.size() << " participants from " << a.file << "\n";
        return;
    }
    auto all = record.participants();
    if (a.json) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto& p : all)
            list.push_back({{"id", p.id},
                            {"name", p.name},
                            {"team", p.team},
                            {"variant", p.variant},
                            {"created", p.created}});
        std::cout << list.dump(2) << "\n";
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : all)
        rows.push_back({p.id, p.name, p.team, std::to_string(p.variant), p.created});
    print_columns({"id", "name", "team", "variant", "added"}, rows);
}

void review(CLI::App* set, const LabArgs& a) {
    LabRecord record(a.db);
    Lab lab(record, clock_from_environment());
    if (set->parsed()) {
        // The portal may store a review without a comment; from the shell, --comment is required
        // and must say something.
        if (a.comment.find_first_not_of(" \t\r\n") == std::string::npos) {
            throw Error("submission " + std::to_string(a.submission) +
                        ": the comment is empty; say why these points were given");
        }
        ReviewRow r = lab.review(a.submission, a.points, a.comment, a.reviewer);
        auto s = record.submission(a.submission);
        std::cout << "submission " << r.submission << " (" << s->participant << "/" << s->question
                  << ") reviewed by " << r.reviewer << ": " << format_number(r.points) << " of "
                  << format_number(lab.key().find(s->question)->points) << " points\n";
        return;
    }
    std::map<int64_t, ReviewRow> reviews;
    for (auto& r : record.reviews()) reviews[r.submission] = r;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : record.submissions()) {
        auto r = reviews.find(s.id);
        if (s.verdict != "pending_review" && r == reviews.end()) continue;
        std::string answer = answer_text(s.value);
        if (a.json) {
            list.push_back(
                {{"submission", s.id},
                 {"time", s.time},
                 {"participant", s.participant},
                 {"question", s.question},
                 {"verdict", s.verdict},
                 {"answer", answer},
                 {"review", r == reviews.end() ? nlohmann::json(nullptr)
                                               : nlohmann::json{{"points", r->second.points},
                                                                {"reviewer", r->second.reviewer},
                                                                {"comment", r->second.comment}}}});
            continue;
        }
        rows.push_back({std::to_string(s.id), s.time, s.participant, s.question,
                        r == reviews.end()
                            ? "pending"
                            : format_number(r->second.points) + " by " + r->second.reviewer,
                        answer});
    }
    if (a.json)
        std::cout << list.dump(2) << "\n";
    else
        print_columns({"submission", "time", "participant", "question", "review", "answer"}, rows,
                      true);
}

void scoreboard(const LabArgs& a) {
    LabRecord record(a.db);
    Lab lab(record, clock_from_environment());
    auto standings = lab.standings();
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::vector<std::vector<std::string>> rows;
    if (a.teams) {
        auto teams = team_standings(standings, team_rule_from_string(a.team_rule));
        for (size_t i = 0; i < teams.size(); ++i) {
            list.push_back(team_json(teams[i], static_cast<int>(i + 1)));
            rows.push_back(
                {std::to_string(i + 1), teams[i].team.empty() ? "(none)" : teams[i].team,
                 std::to_string(teams[i].members),
                 format_number(teams[i].points) + " / " + format_number(teams[i].max_points),
                 format_number(teams[i].sum)});
        }
        if (!a.json)
            print_columns({"rank", "team", "members", "points (" + a.team_rule + ")", "sum"}, rows);
    } else {
        for (size_t i = 0; i < standings.size(); ++i) {
            const Standing& s = standings[i];
            list.push_back(standing_json(s, static_cast<int>(i + 1)));
            rows.push_back({std::to_string(i + 1), s.participant.id, s.participant.name,
                            s.participant.team, std::to_string(s.participant.variant),
                            format_number(s.points) + " / " + format_number(s.max_points),
                            format_number(solved_share(s)), std::to_string(s.submissions),
                            std::to_string(s.flags), s.last_time});
        }
        if (!a.json)
            print_columns({"rank", "participant", "name", "team", "variant", "points", "solved",
                           "submissions", "flags", "last submission"},
                          rows);
    }
    if (a.json) std::cout << list.dump(2) << "\n";
}

void export_lab(const LabArgs& a) {
    LabRecord record(a.db);
    Lab lab(record, clock_from_environment());
    if (a.bom && a.format != "csv") throw Error("--bom is for --format csv only");
    std::string text;
    if (a.format == "json") {
        text = export_json(lab).dump(2) + "\n";
    } else if (a.table == "totals") {
        text = table_csv(totals_table(lab.key(), lab.standings()));
    } else {
        text = table_csv(submissions_table(lab));
    }
    // Excel and LibreOffice read a CSV without a byte-order mark in the machine's ANSI code page,
    // which turns Cyrillic names into mojibake; with the mark they read UTF-8 (docs/instructor.md).
    if (a.bom) text.insert(0, "\xEF\xBB\xBF");
    if (a.output.empty())
        std::cout << text;
    else
        write_file_atomically(a.output, text);
}

}  // namespace

void register_lab(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<LabArgs>();
    auto* lab = app.add_subcommand("lab",
                                   "Run a lab session: participants, submissions graded on "
                                   "the spot, hints, reviews, scoreboard, export");
    lab->require_subcommand(1);
    auto db = [&a](CLI::App* cmd) {
        cmd->add_option("--db", a->db, "The lab record (SQLite), made by 'dflab lab init'")
            ->required();
    };

    auto* init =
        lab->add_subcommand("init", "Create a lab record for an exercise pack's answer key");
    init->add_option("--key", a->key, "OUT/instructor (or its answer-key.json)")->required();
    db(init);
    init->callback([a, &exit_code] {
        KeyDocument doc = read_key_document(a->key);
        LabRecord::create(a->db, doc.key.pack, doc.key.pack_version, doc.json.dump(),
                          utc_iso(clock_from_environment()()));
        double points = 0;
        for (const auto& q : doc.key.questions) points += q.points;
        std::cout << "lab record " << a->db << " created for pack " << doc.key.pack << " "
                  << doc.key.pack_version << ": " << doc.key.questions.size() << " questions, "
                  << format_number(points) << " points, " << doc.key.variants.size()
                  << " variant(s)\n";
        exit_code = 0;
    });

    auto* people = lab->add_subcommand(
        "participants", "Add, import or list participants; make their portal access codes");
    people
        ->add_option("--db", a->dbs,
                     "The lab record (SQLite), made by 'dflab lab init'; 'codes' takes several")
        ->required()
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    people->require_subcommand(1);
    auto* add = people->add_subcommand("add", "Add one participant")->fallthrough();
    add->add_option("ID", a->id, "Participant id (unique in the lab)")->required();
    add->add_option("--name", a->name, "Full name")->required();
    add->add_option("--team", a->team, "Team name");
    add->add_option("--variant", a->variant,
                    "Evidence variant (default: the key's variants in turn)");
    auto* import =
        people->add_subcommand("import", "Add participants from CSV (id,name[,team][,variant])")
            ->fallthrough();
    import->add_option("FILE", a->file, "CSV file with a header line")->required();
    auto* list = people->add_subcommand("list", "List participants")->fallthrough();
    list->add_flag("--json", a->json, "A JSON array");
    auto* codes = people
                      ->add_subcommand("codes",
                                       "New access codes to the lab portal for every participant: "
                                       "hashes stored, the codes printed once")
                      ->fallthrough();
    codes->add_option("-o,--output", a->output,
                      "Write printable slips (HTML, A4) to FILE (default: CSV id,name,code on "
                      "standard output)");
    codes->add_option("--csv", a->csv,
                      "Also write the codes as CSV (id,name,code) to this file (owner-only)");
    codes->add_flag("--bom", a->bom,
                    "Begin the CSV with a UTF-8 byte-order mark, for spreadsheet programs (Excel, "
                    "LibreOffice) to read Cyrillic names as UTF-8");
    codes->add_option("--url", a->url, "The portal's address for the slips (http://10.0.0.1:8080)");
    codes->add_option("--lang,--language", a->lang, "Language of the slips: en (default), ru or kk")
        ->check(CLI::IsMember({"en", "ru", "kk"}));
    people->callback([a, add, import, codes, &exit_code] {
        participants(add, import, codes, *a);
        exit_code = 0;
    });

    auto* sub =
        lab->add_subcommand("submit", "Grade and store answers; prints verdict and feedback");
    db(sub);
    sub->add_option("PARTICIPANT", a->participant, "Participant id");
    sub->add_option("QUESTION", a->question, "Question id");
    sub->add_option("VALUE", a->values, "The answer (several values: a list, for set questions)");
    sub->add_option("--findings", a->findings,
                    "Submit every answer of a findings file (JSON/YAML)");
    sub->add_flag("--json-value", a->json_value, "VALUE is JSON (\"text\", 12, [\"a\", \"b\"])");
    sub->add_flag("--json", a->json, "Print the outcomes as a JSON array");
    sub->add_option("--lang,--language", a->lang,
                    "Language of the feedback printed: en (default), ru or kk (what is stored "
                    "is the same whatever the language)")
        ->check(CLI::IsMember({"en", "ru", "kk"}));
    sub->callback([a, &exit_code] { submit(*a, exit_code); });

    auto* hint = lab->add_subcommand(
        "hint", "Unlock a participant's next hint of a question (costs points)");
    db(hint);
    hint->add_option("PARTICIPANT", a->participant, "Participant id")->required();
    hint->add_option("QUESTION", a->question, "Question id")->required();
    hint->add_option("--lang,--language", a->lang,
                     "Language of the hint's text, printed for you to pass on: en (default), ru "
                     "or kk")
        ->check(CLI::IsMember({"en", "ru", "kk"}));
    hint->callback([a, &exit_code] {
        LabRecord record(a->db);
        Lab l(record, clock_from_environment());
        HintOutcome h = l.unlock_hint(a->participant, a->question);
        std::cout << a->participant << "/" << a->question << ": hint " << h.number << " of "
                  << h.count << " unlocked (costs " << format_number(h.cost) << " points)\n";
        // The text is in the stored key only (never in the participant bundle): print it, indented.
        std::istringstream text(
            hint_text(record.info().answer_key, a->question, h.number, a->lang));
        for (std::string line; std::getline(text, line);) std::cout << "  " << line << "\n";
        exit_code = 0;
    });

    auto* rev =
        lab->add_subcommand("review", "List answers awaiting review (default) or set points");
    db(rev);
    rev->require_subcommand(0, 1);
    auto* rev_list =
        rev->add_subcommand("list", "Answers awaiting review and reviewed ones")->fallthrough();
    rev_list->add_flag("--json", a->json, "A JSON array");
    auto* set = rev->add_subcommand("set",
                                    "Set the points of a submission's question: needs the "
                                    "submission id, points within the question's points, a "
                                    "comment and the reviewer")
                    ->fallthrough();
    set->footer(
        "Example: dflab lab review --db lab.sqlite set 17 --points 3.5 --comment 'names the "
        "butler, no evidence' --reviewer 'A. Kim'\nThe latest review of a participant's question "
        "counts; anything else is refused with one line saying what is wrong.");
    set->add_option("SUBMISSION", a->submission,
                    "Submission id, the first column of 'review list' (a whole number)")
        ->required();
    set->add_option("--points", a->points,
                    "Points awarded: from 0 to the question's points (decimals allowed)")
        ->required();
    set->add_option("--comment", a->comment, "Why these points (not empty; UTF-8, at most 64 KiB)")
        ->required();
    set->add_option("--reviewer", a->reviewer,
                    "Who reviewed (not empty, one line, at most 256 bytes)")
        ->required();
    rev->callback([a, set, &exit_code] {
        review(set, *a);
        exit_code = 0;
    });

    auto* board = lab->add_subcommand("scoreboard", "Participants (or teams) ranked by points");
    db(board);
    board->add_flag("--json", a->json, "A JSON array");
    board->add_flag("--teams", a->teams, "Team totals instead of participants");
    board->add_option("--team-rule", a->team_rule, "With --teams: members' mean, best or sum")
        ->check(CLI::IsMember({"mean", "best", "sum"}));
    board->callback([a, &exit_code] {
        scoreboard(*a);
        exit_code = 0;
    });

    auto* exp =
        lab->add_subcommand("export", "Submissions and per-participant totals, CSV or JSON");
    db(exp);
    exp->add_option("--format", a->format, "csv or json")
        ->required()
        ->check(CLI::IsMember({"csv", "json"}));
    exp->add_option("--table", a->table, "CSV: submissions (default) or totals")
        ->check(CLI::IsMember({"submissions", "totals"}));
    exp->add_option("-o,--output", a->output, "Write to FILE (default: standard output)");
    exp->add_flag("--bom", a->bom,
                  "CSV: begin with a UTF-8 byte-order mark, so that spreadsheet programs (Excel, "
                  "LibreOffice) read Cyrillic names as UTF-8");
    exp->callback([a, &exit_code] {
        export_lab(*a);
        exit_code = 0;
    });
}

}  // namespace dflab::tools
