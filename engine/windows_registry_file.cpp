#include "engine/windows_registry_file.hpp"

#include <libregf.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "engine/error.hpp"
#include "engine/memory_bfio.hpp"

namespace dflab::engine {

namespace {

using RegfError = LibyalError<libregf_error_t, libregf_error_free, libregf_error_sprint>;

struct KeyFree {
    void operator()(libregf_key_t* key) const { libregf_key_free(&key, nullptr); }
};
struct ValueFree {
    void operator()(libregf_value_t* value) const { libregf_value_free(&value, nullptr); }
};
using KeyPtr = std::unique_ptr<libregf_key_t, KeyFree>;
using ValuePtr = std::unique_ptr<libregf_value_t, ValueFree>;

bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (fold(a[i]) != fold(b[i])) return false;
    }
    return true;
}

}  // namespace

struct RegistryFile::State {
    std::string name;
    std::vector<std::byte> bytes;  // what `io` reads
    std::unique_ptr<MemoryBfio> bfio;
    libregf_file_t* file = nullptr;

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        if (file) {
            libregf_file_close(file, nullptr);
            libregf_file_free(&file, nullptr);
        }
    }

    [[noreturn]] void fail(const std::string& what, const RegfError& e) const {
        throw Error(name + ": " + what + ": " + e.text());
    }
};

struct RegistryKey::Handle {
    std::shared_ptr<const RegistryFile::State> file;  // keeps the hive open while the key lives
    KeyPtr key;
};

namespace {

using State = RegistryFile::State;

std::string key_name(const State& s, libregf_key_t* key) {
    RegfError e;
    size_t size = 0;
    if (libregf_key_get_utf8_name_size(key, &size, e.out()) != 1) s.fail("key name", e);
    if (size == 0) return {};
    std::string name(size, '\0');
    if (libregf_key_get_utf8_name(key, reinterpret_cast<uint8_t*>(name.data()), size, e.out()) != 1)
        s.fail("key name", e);
    name.resize(std::strlen(name.c_str()));
    return name;
}

RegistryValue read_value(const State& s, libregf_value_t* value) {
    RegistryValue v;
    RegfError e;
    size_t size = 0;
    if (libregf_value_get_utf8_name_size(value, &size, e.out()) != 1) s.fail("value name", e);
    if (size > 0) {
        v.name.assign(size, '\0');
        if (libregf_value_get_utf8_name(value, reinterpret_cast<uint8_t*>(v.name.data()), size,
                                        e.out()) != 1)
            s.fail("value name", e);
        v.name.resize(std::strlen(v.name.c_str()));
    }
    if (libregf_value_get_value_type(value, &v.type, e.out()) != 1)
        s.fail("value " + v.name + ": type", e);
    size_t data_size = 0;
    if (libregf_value_get_value_data_size(value, &data_size, e.out()) != 1)
        s.fail("value " + v.name + ": data size", e);
    if (data_size > 0) {
        v.data.resize(data_size);
        if (libregf_value_get_value_data(value, reinterpret_cast<uint8_t*>(v.data.data()),
                                         data_size, e.out()) != 1)
            s.fail("value " + v.name + ": data", e);
    }
    return v;
}

uint64_t little_endian(std::span<const std::byte> data) {
    uint64_t v = 0;
    for (size_t i = data.size(); i-- > 0;) v = (v << 8) | std::to_integer<uint64_t>(data[i]);
    return v;
}

}  // namespace

std::optional<std::string> RegistryValue::as_string() const {
    constexpr uint32_t kString = 1, kExpandString = 2, kLink = 6;
    if (type != kString && type != kExpandString && type != kLink) return std::nullopt;
    return utf16le_to_utf8(data);
}

std::optional<uint32_t> RegistryValue::as_dword() const {
    constexpr uint32_t kDword = 4, kDwordBigEndian = 5;
    if (data.size() != 4) return std::nullopt;
    if (type == kDwordBigEndian) {
        uint32_t v = 0;
        for (std::byte b : data) v = (v << 8) | std::to_integer<uint32_t>(b);
        return v;
    }
    (void)kDword;
    return static_cast<uint32_t>(little_endian(data));
}

std::optional<uint64_t> RegistryValue::as_qword() const {
    if (data.size() != 8) return std::nullopt;
    return little_endian(data);
}

std::string RegistryKey::name() const {
    return key_name(*handle_->file, handle_->key.get());
}

uint64_t RegistryKey::last_written() const {
    RegfError e;
    uint64_t filetime = 0;
    if (libregf_key_get_last_written_time(handle_->key.get(), &filetime, e.out()) != 1)
        handle_->file->fail("key " + name() + ": last written time", e);
    return filetime;
}

std::vector<RegistryKey> RegistryKey::subkeys() const {
    const State& s = *handle_->file;
    RegfError e;
    int count = 0;
    if (libregf_key_get_number_of_sub_keys(handle_->key.get(), &count, e.out()) != 1)
        s.fail("key " + name() + ": subkeys", e);
    std::vector<RegistryKey> out;
    out.reserve(static_cast<size_t>(std::max(count, 0)));
    for (int i = 0; i < count; ++i) {
        libregf_key_t* sub = nullptr;
        if (libregf_key_get_sub_key(handle_->key.get(), i, &sub, e.out()) != 1)
            s.fail("key " + name() + ": subkey " + std::to_string(i), e);
        out.emplace_back(std::make_shared<Handle>(Handle{handle_->file, KeyPtr(sub)}));
    }
    return out;
}

std::optional<RegistryKey> RegistryKey::subkey(std::string_view path) const {
    std::optional<RegistryKey> at = *this;
    while (!path.empty() && at) {
        const size_t cut = path.find('\\');
        const std::string_view part = path.substr(0, cut);
        path = cut == std::string_view::npos ? std::string_view() : path.substr(cut + 1);
        if (part.empty()) continue;
        std::optional<RegistryKey> found;
        for (auto& k : at->subkeys())
            if (same_name(k.name(), part)) {
                found = std::move(k);
                break;
            }
        at = std::move(found);
    }
    return at;
}

std::vector<RegistryValue> RegistryKey::values() const {
    const State& s = *handle_->file;
    RegfError e;
    int count = 0;
    if (libregf_key_get_number_of_values(handle_->key.get(), &count, e.out()) != 1)
        s.fail("key " + name() + ": values", e);
    std::vector<RegistryValue> out;
    out.reserve(static_cast<size_t>(std::max(count, 0)));
    for (int i = 0; i < count; ++i) {
        libregf_value_t* raw = nullptr;
        if (libregf_key_get_value(handle_->key.get(), i, &raw, e.out()) != 1)
            s.fail("key " + name() + ": value " + std::to_string(i), e);
        ValuePtr value(raw);
        out.push_back(read_value(s, value.get()));
    }
    return out;
}

std::optional<RegistryValue> RegistryKey::value(std::string_view wanted) const {
    for (auto& v : values())
        if (same_name(v.name, wanted)) return std::move(v);
    return std::nullopt;
}

RegistryFile::RegistryFile(std::vector<std::byte> bytes, std::string name)
    : state_(std::make_shared<State>()) {
    State& s = *state_;
    s.name = std::move(name);
    s.bytes = std::move(bytes);
    if (s.bytes.empty()) throw Error(s.name + ": not a readable registry hive: it is empty");
    s.bfio = std::make_unique<MemoryBfio>(s.bytes, s.name);
    RegfError e;
    if (libregf_file_initialize(&s.file, e.out()) != 1) s.fail("libregf", e);
    if (libregf_file_open_file_io_handle(s.file, s.bfio->get(), LIBREGF_OPEN_READ, e.out()) != 1) {
        libregf_file_free(&s.file, nullptr);  // never opened: nothing to close
        s.fail("not a readable registry hive", e);
    }
}

RegistryFile::~RegistryFile() = default;
RegistryFile::RegistryFile(RegistryFile&&) noexcept = default;
RegistryFile& RegistryFile::operator=(RegistryFile&&) noexcept = default;

const std::string& RegistryFile::name() const {
    return state_->name;
}

RegistryKey RegistryFile::root() const {
    RegfError e;
    libregf_key_t* key = nullptr;
    const int found = libregf_file_get_root_key(state_->file, &key, e.out());
    if (found == -1) state_->fail("root key", e);
    if (found == 0 || !key) throw Error(state_->name + ": the hive has no root key");
    return RegistryKey(
        std::make_shared<RegistryKey::Handle>(RegistryKey::Handle{state_, KeyPtr(key)}));
}

std::optional<RegistryKey> RegistryFile::key(std::string_view path) const {
    return root().subkey(path);
}

}  // namespace dflab::engine
