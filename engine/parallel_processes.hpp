#pragma once
// Work split over processes: `pack build --jobs N` builds its variants in N child processes at
// once, each with its own address space, so that no library state (YARA, libmagic, TSK, the
// time zone) is shared between threads and one job's memory is its own.
#include <functional>

namespace dflab::engine {

// Runs work(0) .. work(count - 1) each in a child process of its own, all at once, and waits
// for all of them. Must be called while this process has no other threads (fork copies only
// the calling one). A child's exception ends that child; then the others are stopped and
// Error is thrown with the first failing child's own message (or the signal that killed it).
// Ctrl-C or SIGTERM stops every child and throws Interrupted.
void run_in_parallel_processes(unsigned count, const std::function<void(unsigned index)>& work);

}  // namespace dflab::engine
