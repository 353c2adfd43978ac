#include "engine/unallocated.hpp"

#include <algorithm>

#include "engine/error.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

struct Collector {
    std::vector<std::pair<uint64_t, uint64_t>> runs;  // first block, count
};

TSK_WALK_RET_ENUM collect(const TSK_FS_BLOCK* block, void* ptr) {
    auto& c = *static_cast<Collector*>(ptr);
    if (!c.runs.empty() && c.runs.back().first + c.runs.back().second == block->addr) {
        ++c.runs.back().second;
    } else {
        c.runs.emplace_back(block->addr, 1);
    }
    return TSK_WALK_CONT;
}

}  // namespace

UnallocatedSpace UnallocatedSpace::map(const FileSystem& file_system) {
    TSK_FS_INFO* fs = tsk_handle(file_system);
    UnallocatedSpace space;
    space.block_size_ = fs->block_size;
    space.fs_offset_ = static_cast<uint64_t>(fs->offset);
    Collector c;
    auto flags = static_cast<TSK_FS_BLOCK_WALK_FLAG_ENUM>(TSK_FS_BLOCK_WALK_FLAG_UNALLOC |
                                                          TSK_FS_BLOCK_WALK_FLAG_AONLY);
    if (tsk_fs_block_walk(fs, fs->first_block, fs->last_block, flags, collect, &c) != 0) {
        throw Error("cannot map unallocated blocks: " + take_tsk_error());
    }
    for (auto [first, count] : c.runs) {
        space.runs_.push_back({space.size_, first, count});
        space.size_ += count * space.block_size_;
    }
    return space;
}

const UnallocatedSpace::Run& UnallocatedSpace::run_at(uint64_t offset) const {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), offset,
                               [](uint64_t off, const Run& r) { return off < r.stream_offset; });
    if (it == runs_.begin() || offset >= size_) throw Error("offset beyond unallocated space");
    return *(it - 1);
}

uint64_t UnallocatedSpace::image_offset(uint64_t offset) const {
    const Run& r = run_at(offset);
    return fs_offset_ + r.first_block * block_size_ + (offset - r.stream_offset);
}

uint64_t UnallocatedSpace::block_of(uint64_t offset) const {
    const Run& r = run_at(offset);
    return r.first_block + (offset - r.stream_offset) / block_size_;
}

size_t UnallocatedSpace::read(const Evidence& evidence, uint64_t offset,
                              std::span<std::byte> out) const {
    size_t done = 0;
    while (done < out.size() && offset + done < size_) {
        const Run& r = run_at(offset + done);
        uint64_t in_run = offset + done - r.stream_offset;
        uint64_t left_in_run = r.blocks * block_size_ - in_run;
        size_t want = static_cast<size_t>(std::min<uint64_t>(left_in_run, out.size() - done));
        uint64_t at = fs_offset_ + r.first_block * block_size_ + in_run;
        size_t got = evidence.read(at, out.subspan(done, want));
        if (got == 0) break;
        done += got;
    }
    return done;
}

std::vector<Window> make_windows(uint64_t size, uint64_t window, uint64_t overlap) {
    std::vector<Window> out;
    if (size == 0) return out;
    if (overlap >= window) overlap = window / 2;
    const uint64_t step = window - overlap;
    for (uint64_t start = 0; start < size; start += step) {
        Window w;
        w.start = start;
        w.length = std::min(window, size - start);
        const bool last = start + w.length >= size;
        w.report_end = last ? size : start + step;
        out.push_back(w);
        if (last) break;
    }
    return out;
}

}  // namespace dflab::engine
