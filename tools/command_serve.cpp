// dflab serve: the lab portal on the workshop network (portal/): participants in their browsers,
// instructors on the dashboard, the lab records as the only store.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "portal/http_server.hpp"
#include "portal/portal.hpp"
#include "portal/sessions.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct ServeArgs {
    std::vector<std::string> labs, bundles;
    std::string listen = "0.0.0.0:8080", tls_cert, tls_key, password_file, port_file, access_log;
    size_t max_downloads = 64;
};

// "ADDR:PORT", "[::]:PORT" or ":PORT".
std::pair<std::string, uint16_t> split_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw engine::Error("--listen " + text + ": give ADDRESS:PORT");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    try {
        size_t used = 0;
        const int port = std::stoi(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1 || port < 0 || port > 65535)
            throw std::out_of_range(text);
        return {host, static_cast<uint16_t>(port)};
    } catch (const std::logic_error&) {
        throw engine::Error("--listen " + text + ": the port must be a number from 0 to 65535");
    }
}

std::string read_password(const ServeArgs& a, bool& generated) {
    generated = false;
    if (!a.password_file.empty()) {
        std::ifstream in(a.password_file);
        std::string line;
        if (!in || !std::getline(in, line))
            throw engine::Error(a.password_file +
                                ": cannot be read (the instructor password file)");
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        return line;
    }
    if (const char* env = std::getenv("DFLAB_INSTRUCTOR_PASSWORD"); env && *env) return env;
    generated = true;
    return portal::random_token(8);
}

// The addresses participants can type: every IPv4 address of this machine when listening on all.
std::vector<std::string> urls(const std::string& host, uint16_t port, bool tls) {
    const std::string scheme = tls ? "https://" : "http://";
    std::vector<std::string> out;
    if (host != "0.0.0.0" && host != "::") {
        out.push_back(scheme + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                      ":" + std::to_string(port) + "/");
        return out;
    }
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> guard(list, freeifaddrs);
        for (ifaddrs* i = list; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
            char text[INET_ADDRSTRLEN] = {};
            const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text))
                out.push_back(scheme + text + ":" + std::to_string(port) + "/");
        }
    }
    if (out.empty()) out.push_back(scheme + "127.0.0.1:" + std::to_string(port) + "/");
    return out;
}

void serve(const ServeArgs& a) {
    if (a.labs.size() != a.bundles.size())
        throw engine::Error("give one --bundle for each --lab (" + std::to_string(a.labs.size()) +
                            " labs, " + std::to_string(a.bundles.size()) + " bundles)");
    if (a.tls_cert.empty() != a.tls_key.empty())
        throw engine::Error("give both --tls-cert and --tls-key, or neither");
    portal::PortalConfig config;
    for (size_t i = 0; i < a.labs.size(); ++i) config.labs.push_back({a.labs[i], a.bundles[i]});
    bool generated = false;
    config.instructor_password = read_password(a, generated);
    config.tls = !a.tls_cert.empty();
    auto app = std::make_shared<portal::Portal>(config);

    std::unique_ptr<std::ofstream> log_file;
    portal::ServerConfig server;
    std::tie(server.address, server.port) = split_listen(a.listen);
    server.body_limit = portal::Portal::body_limit;
    server.max_downloads = a.max_downloads;
    if (config.tls) {
        server.tls_certificate = a.tls_cert;
        server.tls_private_key = a.tls_key;
    }
    if (a.access_log.empty() || a.access_log == "-") {
        server.access_log = &std::cout;
    } else {
        log_file = std::make_unique<std::ofstream>(a.access_log, std::ios::app);
        if (!*log_file) throw engine::Error(a.access_log + ": cannot be written (the access log)");
        server.access_log = log_file.get();
    }
    portal::HttpServer http(server, [app](const portal::Request& r) { return app->handle(r); });
    if (!a.port_file.empty()) {
        std::ofstream out(a.port_file + ".tmp");
        out << http.port() << "\n";
        out.close();
        std::filesystem::rename(a.port_file + ".tmp", a.port_file);
    }
    std::cerr << "dflab serve: labs";
    for (const auto& id : app->lab_ids()) std::cerr << " " << id;
    std::cerr << "\ndflab serve: open in a browser:";
    for (const auto& url : urls(server.address, http.port(), config.tls)) std::cerr << " " << url;
    std::cerr << "\n";
    if (generated)
        std::cerr << "dflab serve: instructor password (this run only): "
                  << config.instructor_password << "\n";
    std::cerr << "dflab serve: Ctrl-C stops the server" << std::endl;
    http.run(true);
    std::cerr << "dflab serve: stopped" << std::endl;
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ServeArgs>();
    auto* cmd = app.add_subcommand(
        "serve",
        "Serve the lab portal: participants log in with their access codes, answer, unlock hints "
        "and download their own evidence; instructors follow the room live");
    cmd->add_option("--lab", a->labs, "A lab record (dflab lab init); repeat for several packs")
        ->required();
    cmd->add_option("--bundle", a->bundles,
                    "The participant bundle of the same pack (OUT/participant), one per --lab")
        ->required();
    cmd->add_option("--listen", a->listen,
                    "ADDRESS:PORT to listen on (default 0.0.0.0:8080; port 0: any free port)");
    cmd->add_option("--tls-cert", a->tls_cert, "PEM certificate: serve HTTPS");
    cmd->add_option("--tls-key", a->tls_key, "PEM private key of --tls-cert");
    cmd->add_option(
        "--instructor-password-file", a->password_file,
        "File whose first line is the instructor password (else DFLAB_INSTRUCTOR_PASSWORD, "
        "else a random one is printed)");
    cmd->add_option("--port-file", a->port_file,
                    "Write the port listened on to this file once listening");
    cmd->add_option("--access-log", a->access_log,
                    "Append the access log here (default: standard output)");
    cmd->add_option("--max-downloads", a->max_downloads,
                    "Evidence downloads served at once (more wait: 503 with Retry-After)")
        ->check(CLI::Range(1, 10000));
    cmd->callback([a, &exit_code] {
        serve(*a);
        exit_code = 0;
    });
}

}  // namespace dflab::tools
