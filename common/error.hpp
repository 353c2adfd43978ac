#pragma once
// The one error type of dflab: its message is a single line that names the input and what is
// wrong, ready to be printed as "dflab: <message>".
#include <stdexcept>
#include <string>
#include <string_view>

namespace dflab::common {

// `message` on one line, whatever text from a file, a value or a tool's output it carries: a NUL
// byte, line break or tab becomes \0, \n, \r or \t, any other control character \xNN; line breaks
// at the end are dropped. Other bytes (UTF-8 text, backslashes) are kept as they are.
inline std::string one_line(std::string_view message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
        message.remove_suffix(1);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(message.size());
    for (char ch : message) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != 0x7f) {
            out += ch;
            continue;
        }
        out += '\\';
        switch (c) {
            case '\0':
                out += '0';
                break;
            case '\n':
                out += 'n';
                break;
            case '\r':
                out += 'r';
                break;
            case '\t':
                out += 't';
                break;
            default:
                out += 'x';
                out += hex[c >> 4];
                out += hex[c & 0xf];
        }
    }
    return out;
}

// Its what() is always one line (one_line): a value with a NUL byte or a line break in it cannot
// cut the message short or run it onto a second line.
class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(one_line(message)) {}
    explicit Error(const char* message) : std::runtime_error(one_line(message)) {}
};

// The user stopped the work (Ctrl-C, SIGTERM). Thrown so that callers unwind and remove their
// partial outputs; the dflab command then exits with 130, as a shell does for SIGINT.
class Interrupted : public Error {
  public:
    Interrupted() : Error("interrupted") {}
};

}  // namespace dflab::common
