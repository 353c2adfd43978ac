#pragma once
// The story of a recipe (internal): its actions replayed on a small model of each file system, so
// that one that cannot happen at its point in the story (a file written into a missing folder, a
// folder deleted while it still holds files, files that no longer fit) fails at its own line.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "images/recipe.hpp"
#include "images/recipe_contents.hpp"
#include "images/recipe_reader.hpp"

namespace dflab::images::recipe_detail {

struct Entry {
    bool dir = false;
    std::optional<uint64_t> size;
};

// The folders and files of one file system, by path. Paths compare without case where the file
// system does (FAT, NTFS).
class Tree {
  public:
    explicit Tree(bool fold);
    Entry* find(const std::string& p);
    void put(const std::string& p, Entry e) { entries_[key(p)] = e; }
    void erase(const std::string& p) { entries_.erase(key(p)); }
    bool has_children(const std::string& p) const;
    bool inside(const std::string& p, const std::string& folder) const;
    void rename(const std::string& from, const std::string& to);  // with what is inside
    uint64_t used() const;                                        // bytes of all files

  private:
    std::string key(const std::string& p) const;
    bool fold_;
    std::map<std::string, Entry> entries_;
};

// A model per partition. Each step checks an action against the model and fails at the given
// mark; the steps that change the model apply the action.
class Story {
  public:
    Story(const Context& ctx, const std::vector<PartitionSpec>& partitions);

    // mkdir: `path` is new and its folder exists.
    void make_directory(const PartitionSpec& p, const std::string& path, const SourceMark& mark);
    // write, before its content is read: the folder exists and `path` is not a folder.
    void check_file_path(const PartitionSpec& p, const std::string& path, const SourceMark& mark);
    // write: the content fits the partition, alone and with the files already in it.
    void write_file(const PartitionSpec& p, const std::string& path, const ParsedContent& c);
    // touch, rename, delete, stream: `path` exists at this point.
    const Entry& existing(const PartitionSpec& p, const std::string& path, const SourceMark& mark);
    // Whether `path` exists at this point (a file or a folder).
    bool exists(const PartitionSpec& p, const std::string& path) {
        return trees_.at(p.id).find(path) != nullptr;
    }
    // rename (`from` exists): `to` is free, not inside `from`, and its folder exists.
    void rename(const PartitionSpec& p, const std::string& from, const std::string& to,
                const SourceMark& to_mark);
    // delete (`path` exists): a folder must be empty, and only a file can be overwritten
    // (`overwrite` is the mark of overwrite: true, if given).
    void remove(const PartitionSpec& p, const std::string& path, const SourceMark& mark,
                const std::optional<SourceMark>& overwrite);
    // slack: `path` is a file with content.
    void check_slack(const PartitionSpec& p, const std::string& path, const SourceMark& mark);
    // The content fits in `room` bytes (`where`: "the partition", "one cluster").
    void check_fits(const PartitionSpec& p, const ParsedContent& c, uint64_t room,
                    const std::string& where) const;

  private:
    void check_parent_folder(const PartitionSpec& p, const std::string& path,
                             const SourceMark& mark);

    const Context& ctx_;
    std::map<std::string, Tree> trees_;  // by partition id
};

}  // namespace dflab::images::recipe_detail
