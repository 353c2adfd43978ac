#pragma once
// The lab portal's application: what each request means. Participants log in with their access
// code and work on the labs they are in; instructors log in with the password set at start.
// Pages are mustache shells (portal/web/templates) filled by the scripts in portal/web/static
// through the JSON API (docs/portal-api.md). The lab records are the only store.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "portal/http_server.hpp"

namespace dflab::portal {

struct LabSource {
    std::filesystem::path record;  // LAB.sqlite (dflab lab init)
    std::filesystem::path bundle;  // OUT/participant of the same pack
};

struct PortalConfig {
    std::vector<LabSource> labs;
    std::string instructor_password;  // kept only as its argon2id hash
    bool tls = false;                 // cookies get Secure
};

class Portal {
  public:
    // Opens every lab (throws common::Error naming the record or bundle that does not fit).
    explicit Portal(const PortalConfig& config);
    ~Portal();
    Portal(const Portal&) = delete;
    Portal& operator=(const Portal&) = delete;

    Reply handle(const Request& request);
    std::vector<std::string> lab_ids() const;
    // Largest body accepted for a path (for ServerConfig::body_limit).
    static size_t body_limit(std::string_view path);

    struct Context;

  private:
    std::unique_ptr<Context> context_;
};

}  // namespace dflab::portal
