#include "engine/evidence.hpp"

#include <filesystem>
#include <system_error>

#include "engine/error.hpp"
#include "engine/ewf_damage.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

void check_readable(const std::string& path) {
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) throw Error(path + ": no such file");
    if (std::filesystem::is_directory(status)) throw Error(path + ": is a directory, not an image");
    if (std::filesystem::is_regular_file(status) && std::filesystem::file_size(path, ec) == 0) {
        throw Error(path + ": file is empty, not an image");
    }
}

}  // namespace

struct Evidence::Impl {
    TskImage image;
};

Evidence::Evidence(std::vector<std::string> paths, std::unique_ptr<Impl> impl)
    : paths_(std::move(paths)), impl_(std::move(impl)) {}
Evidence::Evidence(Evidence&&) noexcept = default;
Evidence& Evidence::operator=(Evidence&&) noexcept = default;
Evidence::~Evidence() = default;

TSK_IMG_INFO* EvidenceAccess::image(const Evidence& evidence) {
    return evidence.impl_->image.get();
}

TSK_IMG_INFO* tsk_handle(const Evidence& evidence) {
    return EvidenceAccess::image(evidence);
}

Evidence Evidence::open(const std::vector<std::string>& paths) {
    if (paths.empty()) throw Error("no image given");
    for (const auto& p : paths) check_readable(p);
    std::vector<const char*> names;
    names.reserve(paths.size());
    for (const auto& p : paths) names.push_back(p.c_str());
    TskImage image(
        tsk_img_open_utf8(static_cast<int>(names.size()), names.data(), TSK_IMG_TYPE_DETECT, 0));
    // A file that begins with the EVF signature is an E01: when TSK cannot open it as one it
    // falls back to reading it raw, which would hide the damage; name the damage instead.
    if ((!image || image->itype != TSK_IMG_TYPE_EWF_EWF) && has_evf_signature(paths.front()))
        throw Error(explain_unopenable_ewf(paths, image ? "read as raw" : take_tsk_error()));
    if (!image) throw Error(paths.front() + ": cannot open image: " + take_tsk_error());
    if (image->size <= 0) throw Error(paths.front() + ": image has no data");
    return Evidence(paths, std::make_unique<Impl>(Impl{std::move(image)}));
}

uint64_t Evidence::size() const {
    return static_cast<uint64_t>(impl_->image->size);
}

uint32_t Evidence::sector_size() const {
    return impl_->image->sector_size ? impl_->image->sector_size : 512;
}

std::string Evidence::format() const {
    switch (impl_->image->itype) {
        case TSK_IMG_TYPE_RAW:
            return impl_->image->num_img > 1 ? "split raw" : "raw";
        case TSK_IMG_TYPE_EWF_EWF:
            return "E01";
        case TSK_IMG_TYPE_VMDK_VMDK:
            return "VMDK";
        case TSK_IMG_TYPE_VHD_VHD:
            return "VHD";
        default:
            return tsk_img_type_toname(impl_->image->itype);
    }
}

EvidenceInfo Evidence::describe() const {
    EvidenceInfo info;
    for (int i = 0; i < impl_->image->num_img; ++i)
        info.segments.emplace_back(impl_->image->images[i]);
    if (info.segments.empty()) info.segments = paths_;
    info.format = format();
    info.size = size();
    info.sector_size = sector_size();
    if (impl_->image->itype == TSK_IMG_TYPE_EWF_EWF) {
        info.acquisition = read_acquisition_metadata(paths_);
        info.damage = find_ewf_damage(ewf_segment_files(paths_));
    }
    return info;
}

size_t Evidence::read(uint64_t offset, std::span<std::byte> data) const {
    if (offset >= size()) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(data.size(), size() - offset));
    size_t done = 0;
    while (done < want) {
        ssize_t got = tsk_img_read(impl_->image.get(), static_cast<TSK_OFF_T>(offset + done),
                                   reinterpret_cast<char*>(data.data() + done), want - done);
        if (got <= 0) {
            throw Error(name() + ": read failed at byte " + std::to_string(offset + done) + ": " +
                        take_tsk_error());
        }
        done += static_cast<size_t>(got);
    }
    return done;
}

}  // namespace dflab::engine
