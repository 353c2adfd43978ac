#!/usr/bin/env bash
# Benchmark: `dflab carve --whole-disk` against foremost, PhotoRec and scalpel on the same raw
# image, each searching sector starts (dflab's default, foremost -q, PhotoRec) and every byte
# offset (dflab --every-offset, foremost's and scalpel's default):
# random filler with JPEG, PNG, PDF, DOCX, ZIP and SQLite files planted at sector offsets, some
# JPEGs split in two fragments with a gap. Prints each tool's wall time, its ratio to dflab's, and
# the files it recovered intact (a recovered file whose SHA-256 equals a planted file's), per type.
#
# The planted files are made here with Debian tools (cjpeg, qpdf, Python's zlib, zipfile and
# sqlite3), not by dflab, so the oracle is independent of the carver. Small by default (a 64 MiB
# image); the lead runs the large one (DFLAB_BENCH_CARVE_MB=1024).
#
# usage: scripts/bench_carve.sh [WORKDIR]     (default /tmp/dflab-bench-carve)
# environment:
#   DFLAB=PATH                  the dflab to time (default: build-release/tools/dflab, else
#                               build/tools/dflab)
#   DFLAB_BENCH_CARVE_MB=N      image size in MiB (default 64)
#   DFLAB_BENCH_CARVE_FILES=N   files planted (default 60; one in ten is a bifragmented JPEG)
#   DFLAB_BENCH_CARVE_SEED=N    seed of the filler and the files (default 1)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/dflab-bench-carve}
size_mb=${DFLAB_BENCH_CARVE_MB:-64}
count=${DFLAB_BENCH_CARVE_FILES:-60}
seed=${DFLAB_BENCH_CARVE_SEED:-1}
dflab=${DFLAB:-}
if [ -z "$dflab" ]; then
  for candidate in "$here/build-release/tools/dflab" "$here/build/tools/dflab"; do
    [ -x "$candidate" ] && dflab=$candidate && break
  done
fi
[ -n "$dflab" ] && [ -x "$dflab" ] || { echo "bench_carve: no dflab binary (set DFLAB)" >&2; exit 1; }
for tool in foremost photorec scalpel cjpeg qpdf python3; do
  command -v "$tool" > /dev/null || { echo "bench_carve: $tool is missing (scripts/setup.sh)" >&2; exit 1; }
done

rm -rf "$work"
mkdir -p "$work/parts"
image=$work/disk.img
planted=$work/planted.tsv  # sha256 <tab> type <tab> sector <tab> fragments

python3 - "$work" "$size_mb" "$count" "$seed" <<'PY'
import hashlib, io, os, random, sqlite3, struct, subprocess, sys, zipfile, zlib
work, size_mb, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = random.Random(seed)
parts = os.path.join(work, "parts")

def jpeg(i, w, h, quality):
    px = bytearray()
    a, b = r.randrange(256), r.randrange(256)
    for y in range(h):
        for x in range(w):
            px += bytes(((x * 3 + y + a) % 256, (y * 2 + b) % 256, (x ^ y) % 256))
    ppm = os.path.join(parts, "%d.ppm" % i)
    with open(ppm, "wb") as f:
        f.write(b"P6 %d %d 255\n" % (w, h) + bytes(px))
    out = subprocess.run(["cjpeg", "-quality", str(quality), ppm], check=True, capture_output=True).stdout
    os.remove(ppm)
    return out

def png(i):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    w, h = r.randrange(32, 300), r.randrange(32, 300)
    raw = b"".join(b"\0" + bytes((x * y + i) % 256 for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def pdf(i):
    text = "Document %d: %s" % (i, r.randbytes(8).hex())
    stream = "BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text
    src = os.path.join(parts, "%d.in.pdf" % i)
    out = os.path.join(parts, "%d.pdf" % i)
    with open(src, "w") as f:  # no xref: qpdf rebuilds it and writes a proper file
        f.write("%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                "3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R/Contents 4 0 R>>endobj\n"
                "4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n"
                "trailer<</Root 1 0 R/Size 5>>\n%%%%EOF\n" % (len(stream), stream))
    subprocess.run(["qpdf", src, out], capture_output=True)
    data = open(out, "rb").read()
    os.remove(src); os.remove(out)
    return data

def archive(i, docx):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        if docx:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<w:document>%s</w:document>" % r.randbytes(2000).hex())
        else:
            z.writestr("notes-%d.txt" % i, r.randbytes(3000).hex())
    return b.getvalue()

def database(i):
    path = os.path.join(parts, "%d.sqlite" % i)
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t(a INTEGER, b TEXT)")
    c.executemany("INSERT INTO t VALUES (?, ?)", [(k, r.randbytes(40).hex()) for k in range(r.randrange(50, 2000))])
    c.commit(); c.close()
    data = open(path, "rb").read()
    os.remove(path)
    return data

image = bytearray()
for _ in range(size_mb):  # randbytes takes at most 2^31 bits at a time
    image += r.randbytes(1 << 20)
sector = 2048
rows = []
for i in range(count):
    kind = i % 10
    if kind == 9:
        data, kind_name = jpeg(i, 640, 480, 95), "jpeg"
    elif kind in (0, 1, 2):
        data, kind_name = jpeg(i, r.randrange(64, 400), r.randrange(64, 300), 85), "jpeg"
    elif kind in (3, 4):
        data, kind_name = png(i), "png"
    elif kind == 5:
        data, kind_name = pdf(i), "pdf"
    elif kind == 6:
        data, kind_name = archive(i, True), "docx"
    elif kind == 7:
        data, kind_name = archive(i, False), "zip"
    else:
        data, kind_name = database(i), "sqlite"
    sectors = (len(data) + 511) // 512
    gap = r.randrange(4, 40) if kind == 9 else 0
    if (sector + sectors + gap + 64) * 512 > len(image):
        break
    if kind == 9:  # the first 16 sectors, a gap of filler, then the rest
        split = 16 * 512
        image[sector * 512:sector * 512 + split] = data[:split]
        second = sector + 16 + gap
        image[second * 512:second * 512 + len(data) - split] = data[split:]
        fragments = 2
    else:
        image[sector * 512:sector * 512 + len(data)] = data
        fragments = 1
    rows.append("%s\t%s\t%d\t%d" % (hashlib.sha256(data).hexdigest(), kind_name, sector, fragments))
    sector += sectors + gap + r.randrange(8, 256)
with open(os.path.join(work, "disk.img"), "wb") as f:
    f.write(image)
with open(os.path.join(work, "planted.tsv"), "w") as f:
    f.write("\n".join(rows) + "\n")
PY
rm -rf "$work/parts"

# Wall seconds of a command, its output discarded.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

t_dflab=$(timed "$dflab" carve "$image" --whole-disk -o "$work/dflab")
t_dflab_every=$(timed "$dflab" carve "$image" --whole-disk --every-offset -o "$work/dflab_every")
t_foremost=$(timed foremost -t jpg,png,pdf,zip -i "$image" -o "$work/foremost")
t_foremost_q=$(timed foremost -q -t jpg,png,pdf,zip -i "$image" -o "$work/foremost_q")
mkdir -p "$work/photorec"
# photorec writes photorec.log in the current folder: run it in the work folder.
photorec_carve() {
  (cd "$work" && photorec /log /d "$work/photorec/recup" /cmd "$image" \
    partition_none,fileopt,everything,disable,jpg,enable,png,enable,pdf,enable,zip,enable,sqlite,enable,search)
}
t_photorec=$(timed photorec_carve)
# scalpel has no built-in types: a header and footer a type, as its manual's examples.
cat > "$work/scalpel.conf" <<'CONF'
jpg y 20000000 \xff\xd8\xff \xff\xd9
png y 20000000 \x89PNG\x0d\x0a\x1a\x0a IEND\xae\x42\x60\x82
pdf y 20000000 %PDF- %%EOF\x0a REVERSE
zip y 20000000 PK\x03\x04 PK\x05\x06
CONF
t_scalpel=$(timed scalpel -c "$work/scalpel.conf" -o "$work/scalpel" "$image")

# Intact files per tool and type: recovered SHA-256s that are planted ones (each counted once).
recall() {
  local dir=$1
  find "$dir" -type f -exec sha256sum {} + 2>/dev/null | awk '{print $1}' | sort -u |
    join -t $'\t' - <(sort "$planted") | awk -F'\t' '{n[$2]++; t++} END {
      printf "%d", t; for (k in n) printf " %s=%d", k, n[k]; printf "\n" }'
}
total=$(wc -l < "$planted")
fragmented=$(awk -F'\t' '$4 == 2' "$planted" | wc -l)
echo "image: $image (${size_mb} MiB), planted: $total files ($fragmented bifragmented JPEGs)"
# dflab and foremost -q and PhotoRec look at sector starts; dflab_every, foremost and scalpel at
# every byte offset.
printf '%-12s %10s %12s  %s\n' tool seconds "x dflab" "intact files (by type)"
for tool in dflab foremost_q photorec dflab_every foremost scalpel; do
  t_var=t_$tool
  t=${!t_var}
  printf '%-12s %10.2f %12.2f  %s\n' "$tool" "$t" "$(echo "$t / $t_dflab" | bc -l)" "$(recall "$work/$tool")"
done
