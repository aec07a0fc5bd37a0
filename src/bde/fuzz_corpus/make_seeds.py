#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from the real test volumes (docs/bitlocker-format.md).

Usage: make_seeds.py IMAGES_FOLDER  (the extracted bitlk-images.tar.xz)
Each seed is small: a metadata block cut right after its validation entry, a .BEK file,
and compact volumes for volume_fuzz (which zero-extends its input to 256 KiB).
"""
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(fuzzer, name, data):
    os.makedirs(os.path.join(HERE, fuzzer), exist_ok=True)
    with open(os.path.join(HERE, fuzzer, name), "wb") as f:
        f.write(data)


def read(path, offset, size):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def first_copy(image):
    sector0 = read(image, 0, 512)
    at = 440 if sector0[3:11] == b"MSWIN4.1" else 176
    offset = struct.unpack_from("<Q", sector0, at)[0]
    block = bytearray(read(image, offset, 65536))
    block_bytes = struct.unpack_from("<H", block, 8)[0] * 16
    entry_size = struct.unpack_from("<H", block, block_bytes + 8)[0]
    return sector0, offset, block[: block_bytes + 8 + entry_size], block_bytes


def fix_crc(block, block_bytes):
    struct.pack_into("<I", block, block_bytes + 4, zlib.crc32(bytes(block[:block_bytes])))


def compact_volume(image):
    """Header sector, then copy 1 at offset 512; copies 2 and 3 (zeros) 64 KiB apart."""
    sector0, _, block, block_bytes = first_copy(image)
    sector0 = bytearray(sector0)
    offsets = (512, 512 + 65536, 512 + 131072)
    at = 440 if sector0[3:11] == b"MSWIN4.1" else 176
    struct.pack_into("<QQQ", sector0, at, *offsets)
    # The relocated header sectors must fit the 256 KiB volume too.
    struct.pack_into("<I", block, 28, 16)
    struct.pack_into("<QQQQ", block, 32, *offsets, 196608)
    fix_crc(block, block_bytes)
    return bytes(sector0) + bytes(block)


def main():
    folder = sys.argv[1]
    img = lambda name: os.path.join(folder, name + ".img")
    for name in ("bitlk-aes-xts-128-startup-key", "bitlk-aes-xts-128-clearkey-only",
                 "bitlk-aes-cbc-elephant-128"):
        _, _, block, _ = first_copy(img(name))
        write("metadata_fuzz", name + ".block", bytes(block))
    write("volume_fuzz", "win7-startup-key.vol", compact_volume(img("bitlk-aes-xts-128-startup-key")))
    write("volume_fuzz", "togo.vol", compact_volume(img("bitlk-togo-aes-cbc-128")))
    write("volume_fuzz", "4k-header.sector", read(img("bitlk-aes-xts-128-4k"), 0, 512))
    write("volume_fuzz", "eow-header.sector", read(img("bitlk-aes-xts-128-eow"), 0, 512))
    bek = "4381F759-C4F8-4DE0-BB61-FC33A831BDA5.BEK"
    write("startup_key_fuzz", "real.bek", read(os.path.join(folder, bek), 0, 1 << 16))


if __name__ == "__main__":
    main()
