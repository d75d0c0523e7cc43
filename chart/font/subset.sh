#!/usr/bin/env bash
# Makes NotoSansCJKsc-Regular-GB2312.otf, the font the digest chart draws
# with: Noto Sans CJK SC Regular (SIL OFL 1.1, OFL.txt) cut down to the
# 7,445 characters of GB2312, ASCII and common full-width punctuation, so
# that the binary grows by 1.5 MB instead of 16 MB. A department name
# outside GB2312 (a rare character) is drawn as the font's empty box.
# Needs Debian's fonts-noto-cjk and python3-fonttools (or pip install fonttools).
set -euo pipefail
cd "$(dirname "$0")"
ttc=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$ttc" "$tmp" <<'PY'
import sys
from fontTools.ttLib import TTCollection
ttc, tmp = sys.argv[1], sys.argv[2]
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars |= {chr(c) for c in range(0x20, 0x7F)}
chars |= set("，。、；：？！“”‘’（）《》【】—…·％～")
open(tmp + "/chars.txt", "w", encoding="utf-8").write("".join(sorted(chars)))
for f in TTCollection(ttc).fonts:
    if f["name"].getDebugName(4) == "Noto Sans CJK SC":
        f.save(tmp + "/sc.otf")
        break
else:
    sys.exit("no Noto Sans CJK SC in " + ttc)
PY
python3 -m fontTools.subset "$tmp/sc.otf" --text-file="$tmp/chars.txt" \
  --output-file=NotoSansCJKsc-Regular-GB2312.otf \
  --layout-features='' --no-hinting --name-IDs='*' --notdef-outline
ls -l NotoSansCJKsc-Regular-GB2312.otf
