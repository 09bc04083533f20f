//! Decoding of the zlib streams this crate writes (one fixed-Huffman deflate block), for
//! [`crate::DistrictRaster`], which keeps its index image compressed and unpacks it only when
//! a style needs the pixels renumbered.
//!
//! Not a general inflater: stored and dynamic-Huffman blocks, several blocks and preset
//! dictionaries are refused (`None`), which is enough for streams of `encode.rs`.

use std::sync::OnceLock;

use crate::encode::{fixed_symbol, DISTANCE_BASE, DISTANCE_EXTRA, LENGTH_BASE, LENGTH_EXTRA};

/// Reads bits least significant first.
struct BitReader<'a> {
    data: &'a [u8],
    at: usize,
    acc: u64,
    n: u32,
}

impl BitReader<'_> {
    /// Tops the accumulator up to at least 32 bits (zeros past the end).
    #[inline(always)]
    fn refill(&mut self) {
        while self.n <= 56 {
            let b = self.data.get(self.at).copied().unwrap_or(0);
            self.acc |= u64::from(b) << self.n;
            self.at += 1;
            self.n += 8;
        }
    }

    #[inline(always)]
    fn peek(&self, bits: u32) -> u32 {
        (self.acc & ((1u64 << bits) - 1)) as u32
    }

    #[inline(always)]
    fn consume(&mut self, bits: u32) {
        self.acc >>= bits;
        self.n -= bits;
    }

    #[inline(always)]
    fn take(&mut self, bits: u32) -> u32 {
        let v = self.peek(bits);
        self.consume(bits);
        v
    }

    /// Whether more bits were read than the data holds.
    fn overran(&self) -> bool {
        self.at * 8 > self.data.len() * 8 + self.n as usize
    }
}

/// Literal/length symbol and code length for every 9-bit window of the fixed code.
fn symbol_table() -> &'static [(u16, u8); 512] {
    static TABLE: OnceLock<[(u16, u8); 512]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [(0u16, 0u8); 512];
        for s in 0..288u32 {
            let (code, bits) = fixed_symbol(s);
            for high in 0..(1u32 << (9 - bits)) {
                table[(code as u32 | high << bits) as usize] = (s as u16, bits as u8);
            }
        }
        table
    })
}

/// The uncompressed data of a zlib stream of one fixed-Huffman block that decodes to exactly
/// `len` bytes, `None` when the stream is anything else.
///
/// With `map`, every byte `b` comes out as `map[b]`, at the cost of mapping the literals only:
/// a match copies bytes that were equal before mapping, so they are equal after. The checksum
/// (of the unmapped data) is then not checked.
pub(crate) fn inflate_fixed(zlib: &[u8], len: usize, map: Option<&[u8; 256]>) -> Option<Vec<u8>> {
    if zlib.len() < 6 || zlib[0] != 0x78 || zlib[1] & 0x20 != 0 {
        return None;
    }
    let table = symbol_table();
    let mut r = BitReader {
        data: &zlib[2..zlib.len() - 4],
        at: 0,
        acc: 0,
        n: 0,
    };
    r.refill();
    // BFINAL = 1, BTYPE = 01.
    if r.take(3) != 0b011 {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(len);
    loop {
        r.refill();
        let (sym, bits) = table[r.peek(9) as usize];
        r.consume(u32::from(bits));
        match sym {
            0..=255 => {
                if out.len() == len {
                    return None;
                }
                let b = sym as u8;
                out.push(map.map_or(b, |m| m[usize::from(b)]));
            }
            256 => break,
            _ => {
                let i = usize::from(sym - 257);
                let (&base, &extra) = LENGTH_BASE.get(i).zip(LENGTH_EXTRA.get(i))?;
                let n = usize::from(base) + r.take(u32::from(extra)) as usize;
                let code = (r.take(5).reverse_bits() >> 27) as usize;
                let (&dbase, &dextra) = DISTANCE_BASE.get(code).zip(DISTANCE_EXTRA.get(code))?;
                r.refill();
                let dist = usize::from(dbase) + r.take(u32::from(dextra)) as usize;
                if dist > out.len() || out.len() + n > len {
                    return None;
                }
                let from = out.len() - dist;
                if dist >= n {
                    out.extend_from_within(from..from + n);
                } else if dist == 1 {
                    let b = out[from];
                    out.resize(out.len() + n, b);
                } else {
                    for k in 0..n {
                        out.push(out[from + k]);
                    }
                }
            }
        }
        if r.overran() {
            return None;
        }
    }
    let adler = u32::from_be_bytes(zlib[zlib.len() - 4..].try_into().ok()?);
    (out.len() == len && (map.is_some() || adler == simd_adler32::adler32(&out.as_slice())))
        .then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{encode_indexed, idat_offset};
    use crate::raster::Grid;

    #[test]
    fn decodes_what_the_encoder_writes() {
        for size in [256usize, 512] {
            let grid = Grid::new(size);
            let mut buf = vec![0u8; grid.len()];
            for j in 0..size {
                for i in 0..size {
                    // Runs, repeated rows, and noise every seventh row.
                    let v = if j % 7 == 0 {
                        ((i * 2_654_435_761) >> 13) % 251
                    } else {
                        i / 9 + j / 50
                    };
                    buf[grid.index(i, j)] = v as u8;
                }
            }
            let png = encode_indexed(&buf, grid, &[[0, 0, 0, 255]; 256]);
            let at = idat_offset(&png);
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let zlib = &png[at + 8..at + 8 + len];
            assert_eq!(
                inflate_fixed(zlib, buf.len(), None).as_deref(),
                Some(&buf[..])
            );
            // Mapped while decoding: the same as mapping the result.
            let mut map = [0u8; 256];
            for (k, m) in map.iter_mut().enumerate() {
                *m = (k * 7 % 256) as u8;
            }
            let mapped: Vec<u8> = buf.iter().map(|&b| map[usize::from(b)]).collect();
            assert_eq!(inflate_fixed(zlib, buf.len(), Some(&map)), Some(mapped));
            // A wrong length, a damaged checksum or a truncated stream is refused.
            assert_eq!(inflate_fixed(zlib, buf.len() - 1, None), None);
            let mut bad = zlib.to_vec();
            *bad.last_mut().unwrap() ^= 1;
            assert_eq!(inflate_fixed(&bad, buf.len(), None), None);
            assert_eq!(
                inflate_fixed(&zlib[..zlib.len() / 2], buf.len(), None),
                None
            );
        }
    }
}
