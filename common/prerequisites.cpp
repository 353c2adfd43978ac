#include "common/prerequisites.hpp"

#include <algorithm>
#include <cstddef>
#include <set>
#include <string_view>
#include <unordered_map>

namespace dflab::common {

std::vector<std::vector<std::string>> prerequisite_cycles(
    std::span<const Prerequisites> questions) {
    std::unordered_map<std::string_view, size_t> index;  // the first question of each id
    for (size_t i = 0; i < questions.size(); ++i) index.emplace(questions[i].id, i);
    enum class State : unsigned char { New, Open, Done };
    std::vector<State> state(questions.size(), State::New);
    struct Step {
        size_t question;
        size_t next = 0;  // the prerequisite to follow next
    };
    std::vector<Step> path;  // the questions open now, each needing the one after it
    std::set<std::vector<size_t>> reported;  // cycles by their members, sorted
    std::vector<std::vector<std::string>> cycles;
    for (size_t start = 0; start < questions.size(); ++start) {
        if (state[start] != State::New) continue;
        state[start] = State::Open;
        path.push_back({start});
        while (!path.empty()) {
            Step& top = path.back();
            const auto& needs = questions[top.question].needs;
            if (top.next == needs.size()) {
                state[top.question] = State::Done;
                path.pop_back();
                continue;
            }
            auto found = index.find(needs[top.next++]);
            if (found == index.end()) continue;
            const size_t to = found->second;
            if (state[to] == State::New) {
                state[to] = State::Open;
                path.push_back({to});  // `top` is not used after this
                continue;
            }
            if (state[to] == State::Done) continue;
            // Back to a question still open: the path from it to here is a cycle.
            auto from = std::find_if(path.begin(), path.end(),
                                     [&](const Step& s) { return s.question == to; });
            std::vector<size_t> members;
            for (auto s = from; s != path.end(); ++s) members.push_back(s->question);
            std::vector<size_t> sorted = members;
            std::sort(sorted.begin(), sorted.end());
            if (!reported.insert(sorted).second) continue;
            std::rotate(members.begin(), std::min_element(members.begin(), members.end()),
                        members.end());
            std::vector<std::string> ids;
            for (size_t m : members) ids.push_back(questions[m].id);
            cycles.push_back(std::move(ids));
        }
    }
    return cycles;
}

std::string prerequisite_cycle_problem(const std::vector<std::string>& cycle) {
    std::string chain;
    for (const auto& id : cycle) chain += id + " -> ";
    if (!cycle.empty()) chain += cycle.front();
    return "the prerequisites go round in a circle (" + chain +
           "), so no participant could ever open these questions; remove one of the "
           "prerequisites";
}

}  // namespace dflab::common
