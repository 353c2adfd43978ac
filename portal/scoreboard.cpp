#include "portal/scoreboard.hpp"

namespace dflab::portal {

nlohmann::json public_scoreboard(PortalLab& lab) {
    const std::string frozen = lab.scoreboard_frozen();
    auto standings = lab.standings_cached();
    nlohmann::json rows = nlohmann::json::array();
    int rank = 0;
    for (const auto& s : *standings) {
        rows.push_back({{"rank", ++rank},
                        {"name", s.participant.name},
                        {"team", s.participant.team},
                        {"points", s.points},
                        {"solved", s.solved}});
    }
    return {{"frozen", frozen.empty() ? nlohmann::json(nullptr) : nlohmann::json(frozen)},
            {"rows", rows}};
}

}  // namespace dflab::portal
