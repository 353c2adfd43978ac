#pragma once
// RAII ownership of libtsk's C handles.
#include <tsk/libtsk.h>

#include <memory>

namespace dflab::engine {

struct TskCloser {
    void operator()(TSK_IMG_INFO* p) const noexcept { tsk_img_close(p); }
    void operator()(TSK_VS_INFO* p) const noexcept { tsk_vs_close(p); }
    void operator()(TSK_FS_INFO* p) const noexcept { tsk_fs_close(p); }
    void operator()(TSK_FS_FILE* p) const noexcept { tsk_fs_file_close(p); }
    void operator()(TSK_FS_DIR* p) const noexcept { tsk_fs_dir_close(p); }
};

using TskImage = std::unique_ptr<TSK_IMG_INFO, TskCloser>;
using TskVolumeSystem = std::unique_ptr<TSK_VS_INFO, TskCloser>;
using TskFileSystem = std::unique_ptr<TSK_FS_INFO, TskCloser>;
using TskFile = std::unique_ptr<TSK_FS_FILE, TskCloser>;
using TskDir = std::unique_ptr<TSK_FS_DIR, TskCloser>;

}  // namespace dflab::engine
