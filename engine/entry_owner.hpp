#pragma once
// The owner of a file-system entry as text, the value of the YARA external `owner`: the uid in
// decimal on ext and the other Unix file systems, the owner SID on NTFS, "" where the file
// system records none (FAT, exFAT, ISO 9660) or the entry has no metadata.
#include <tsk/libtsk.h>

#include <string>

namespace dflab::engine {

// "1000" (ext, UFS, HFS+, APFS, YAFFS2: TSK's meta->uid; no user name is looked up, the image's
// /etc/passwd is not the examiner's), "S-1-5-21-...-1001" (NTFS: the owner SID of the security
// descriptor $STANDARD_INFORMATION points to in $Secure), or "". Never throws: an owner TSK
// cannot read (a damaged $Secure, a volume whose $SII index TSK does not load) is "".
std::string entry_owner(TSK_FS_FILE* file);

}  // namespace dflab::engine
