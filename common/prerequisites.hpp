#pragma once
// Prerequisite cycles among questions: the one check behind `dflab pack validate` and `pack build`
// (on the pack's question files) and `dflab lab init`, `score` and `regrade` (on an answer key).
#include <span>
#include <string>
#include <vector>

namespace dflab::common {

struct Prerequisites {
    std::string id;
    std::vector<std::string> needs;  // ids of questions to answer first; unknown ids are ignored
};

// Every cycle once, each as its members in the order they need each other (a needs b, b needs c,
// c needs a: {a, b, c}), starting at the member that comes first in `questions`. Questions are
// visited in their order, without recursion (a chain of any length is safe).
std::vector<std::vector<std::string>> prerequisite_cycles(std::span<const Prerequisites> questions);

// The problem, for an error message after the question's name: "the prerequisites go round in a
// circle (a -> b -> c -> a), so no participant could ever open these questions; remove one of
// the prerequisites".
std::string prerequisite_cycle_problem(const std::vector<std::string>& cycle);

}  // namespace dflab::common
