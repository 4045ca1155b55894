//! A spool: text written now and copied out later, kept in an anonymous
//! temporary file (deleted when dropped) rather than in memory, for formats
//! whose head needs totals known only after the last target.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

/// Text set aside in a temporary file.
pub struct Spool {
    file: BufWriter<File>,
}

impl Spool {
    /// An empty spool.
    pub fn new() -> std::io::Result<Self> {
        Ok(Spool {
            file: BufWriter::new(tempfile::tempfile()?),
        })
    }

    /// Copies everything written so far to `out`.
    pub fn copy_to(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        self.file.flush()?;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0))?;
        std::io::copy(file, out)?;
        Ok(())
    }
}

impl Spool {
    /// Copies the first `len` bytes written to `out`.
    pub fn copy_prefix_to(&mut self, out: &mut impl Write, len: u64) -> std::io::Result<()> {
        self.file.flush()?;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0))?;
        std::io::copy(&mut Read::by_ref(file).take(len), out)?;
        Ok(())
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
