#pragma once
// The scoreboard participants see: ranks, names, teams, points and solves, as of the freeze time
// when the instructor has frozen it; nothing about single questions or answers.
#include <nlohmann/json.hpp>

#include "portal/portal_labs.hpp"

namespace dflab::portal {

inline bool scoreboard_visible(const PortalLab& lab) {
    return lab.scoreboard_visible();
}
// {"frozen": TIME or null, "rows": [{"rank", "name", "team", "points", "solved"}]}. Takes the
// lab's lock: call it without holding it.
nlohmann::json public_scoreboard(PortalLab& lab);

}  // namespace dflab::portal
