//! The wrapping flavours (G2/G3/G4 `-io` fronts): the host's WASI 0.2 interfaces that make
//! streams or pollables, served again to the guest with each one wrapped (`io::host_*`), so
//! that the guest's one wasi:io carries the adapter's value bodies and the host's stdio,
//! monotonic clock and files alike. Wrapped, one feature per group so that an adapter
//! imports only what its guest does: `wasi-stdio` (`wasi:cli/{stdin,stdout,stderr}`),
//! `wasi-clock` (`wasi:clocks/monotonic-clock`), `wasi-files`
//! (`wasi:filesystem/{types,preopens}`). Every call is
//! forwarded as it is; records, enums and flags are the same WIT on both sides and only
//! change Rust type. Anything else the guest imports (environment, exit, terminals, the
//! wall clock, random) is the host's own and never passes through here. The release is the
//! front's wasi:io one: rc-2023-11-10 for G2, 0.2.0 for G3/G4 (type for type the same;
//! `release` below names the generated modules).
//!
//! Lossy: nothing. The cost is one more component crossing per call, and bytes read or
//! written through a wrapped stream are copied once more (host -> adapter -> guest).

/// The guest's (exported) and the host's (imported) modules of each wrapped package at
/// the front's release.
mod release {
    #[cfg(all(any(feature = "wasi-stdio", feature = "wasi-files"), feature = "front-g2"))]
    pub use crate::exports::wasi::io0_2_0_rc_2023_11_10 as io;
    #[cfg(all(any(feature = "wasi-stdio", feature = "wasi-files"), any(feature = "front-g3", feature = "front-g4")))]
    pub use crate::exports::wasi::io0_2_0 as io;

    #[cfg(all(feature = "wasi-stdio", feature = "front-g2"))]
    pub use crate::{exports::wasi::cli0_2_0_rc_2023_11_10 as cli, wasi::cli0_2_0_rc_2023_11_10 as host_cli};
    #[cfg(all(feature = "wasi-stdio", any(feature = "front-g3", feature = "front-g4")))]
    pub use crate::{exports::wasi::cli0_2_0 as cli, wasi::cli0_2_0 as host_cli};

    #[cfg(all(feature = "wasi-clock", feature = "front-g2"))]
    pub use crate::{exports::wasi::clocks0_2_0_rc_2023_11_10 as clocks, wasi::clocks0_2_0_rc_2023_11_10 as host_clocks};
    #[cfg(all(feature = "wasi-clock", any(feature = "front-g3", feature = "front-g4")))]
    pub use crate::{exports::wasi::clocks0_2_0 as clocks, wasi::clocks0_2_0 as host_clocks};

    #[cfg(all(feature = "wasi-files", feature = "front-g2"))]
    pub use crate::{
        exports::wasi::filesystem0_2_0_rc_2023_11_10 as filesystem, wasi::filesystem0_2_0_rc_2023_11_10 as host_filesystem,
    };
    #[cfg(all(feature = "wasi-files", any(feature = "front-g3", feature = "front-g4")))]
    pub use crate::{exports::wasi::filesystem0_2_0 as filesystem, wasi::filesystem0_2_0 as host_filesystem};
}

#[cfg(feature = "wasi-stdio")]
mod stdio {
    use super::release::cli::{stderr, stdin, stdout};
    use super::release::host_cli as hcli;
    use super::release::io::streams;
    use crate::io::{host_input, host_output};
    use crate::Adapter;

    impl stdin::Guest for Adapter {
        fn get_stdin() -> streams::InputStream {
            host_input(hcli::stdin::get_stdin())
        }
    }

    impl stdout::Guest for Adapter {
        fn get_stdout() -> streams::OutputStream {
            host_output(hcli::stdout::get_stdout())
        }
    }

    impl stderr::Guest for Adapter {
        fn get_stderr() -> streams::OutputStream {
            host_output(hcli::stderr::get_stderr())
        }
    }
}

#[cfg(feature = "wasi-clock")]
mod clock {
    use super::release::clocks::monotonic_clock;
    use super::release::host_clocks::monotonic_clock as hclock;
    use crate::io::host_pollable;
    use crate::Adapter;

    impl monotonic_clock::Guest for Adapter {
        fn now() -> monotonic_clock::Instant {
            hclock::now()
        }

        fn resolution() -> monotonic_clock::Duration {
            hclock::resolution()
        }

        fn subscribe_instant(when: monotonic_clock::Instant) -> monotonic_clock::Pollable {
            host_pollable(hclock::subscribe_instant(when))
        }

        fn subscribe_duration(when: monotonic_clock::Duration) -> monotonic_clock::Pollable {
            host_pollable(hclock::subscribe_duration(when))
        }
    }
}

#[cfg(feature = "wasi-files")]
mod files {
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::release::filesystem::{preopens, types as fs};
    use super::release::host_filesystem::{preopens as hpreopens, types as hfs};
    use super::release::io::{error, streams};
    use crate::io::{host_error, host_input, host_output};
    use crate::Adapter;

    /// A host descriptor, as the guest's `descriptor`.
    pub struct Descriptor(hfs::Descriptor);

    /// A host directory listing, as the guest's `directory-entry-stream`.
    pub struct Entries(hfs::DirectoryEntryStream);

    fn wrap(d: hfs::Descriptor) -> fs::Descriptor {
        fs::Descriptor::new(Descriptor(d))
    }

    fn host<'a>(d: &'a fs::DescriptorBorrow<'_>) -> &'a hfs::Descriptor {
        &d.get::<Descriptor>().0
    }

    /// Writes out an exhaustive `match` between two enums of the same WIT cases (generated
    /// once for the host's interface and once for the guest's), so that a case added to one
    /// side and not the other is a compile error rather than a silent mismatch.
    macro_rules! same_cases {
    ($value:expr, $from:ident => $to:ident { $($case:ident),* $(,)? }) => {
        match $value {
            $($from::$case => $to::$case,)*
        }
    };
}

    type HostCode = hfs::ErrorCode;
    type Code = fs::ErrorCode;

    fn code(e: HostCode) -> Code {
        same_cases!(e, HostCode => Code {
            Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
            IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop,
            TooManyLinks, MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory,
            InsufficientSpace, NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty,
            NoSuchDevice, Overflow, NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy,
            CrossDevice,
        })
    }

    type HostType = hfs::DescriptorType;
    type Type = fs::DescriptorType;

    fn descriptor_type(t: HostType) -> Type {
        same_cases!(t, HostType => Type {
            Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
        })
    }

    type Advice = fs::Advice;
    type HostAdvice = hfs::Advice;

    fn advice(a: Advice) -> HostAdvice {
        same_cases!(a, Advice => HostAdvice { Normal, Sequential, Random, WillNeed, DontNeed, NoReuse })
    }

    fn timestamp(t: fs::NewTimestamp) -> hfs::NewTimestamp {
        match t {
            fs::NewTimestamp::NoChange => hfs::NewTimestamp::NoChange,
            fs::NewTimestamp::Now => hfs::NewTimestamp::Now,
            fs::NewTimestamp::Timestamp(at) => hfs::NewTimestamp::Timestamp(at),
        }
    }

    // Flags are the same bits on both sides by construction (one WIT): carried as bits.
    fn path_flags(f: fs::PathFlags) -> hfs::PathFlags {
        hfs::PathFlags::from_bits_retain(f.bits())
    }

    fn open_flags(f: fs::OpenFlags) -> hfs::OpenFlags {
        hfs::OpenFlags::from_bits_retain(f.bits())
    }

    fn descriptor_flags_in(f: fs::DescriptorFlags) -> hfs::DescriptorFlags {
        hfs::DescriptorFlags::from_bits_retain(f.bits())
    }

    fn descriptor_flags_out(f: hfs::DescriptorFlags) -> fs::DescriptorFlags {
        fs::DescriptorFlags::from_bits_retain(f.bits())
    }

    fn stat(s: hfs::DescriptorStat) -> fs::DescriptorStat {
        fs::DescriptorStat {
            type_: descriptor_type(s.type_),
            link_count: s.link_count,
            size: s.size,
            data_access_timestamp: s.data_access_timestamp,
            data_modification_timestamp: s.data_modification_timestamp,
            status_change_timestamp: s.status_change_timestamp,
        }
    }

    fn hash(h: hfs::MetadataHashValue) -> fs::MetadataHashValue {
        fs::MetadataHashValue {
            lower: h.lower,
            upper: h.upper,
        }
    }

    impl fs::GuestDescriptor for Descriptor {
        fn read_via_stream(&self, offset: fs::Filesize) -> Result<streams::InputStream, Code> {
            self.0.read_via_stream(offset).map(host_input).map_err(code)
        }

        fn write_via_stream(&self, offset: fs::Filesize) -> Result<streams::OutputStream, Code> {
            self.0
                .write_via_stream(offset)
                .map(host_output)
                .map_err(code)
        }

        fn append_via_stream(&self) -> Result<streams::OutputStream, Code> {
            self.0.append_via_stream().map(host_output).map_err(code)
        }

        fn advise(
            &self,
            offset: fs::Filesize,
            length: fs::Filesize,
            a: Advice,
        ) -> Result<(), Code> {
            self.0.advise(offset, length, advice(a)).map_err(code)
        }

        fn sync_data(&self) -> Result<(), Code> {
            self.0.sync_data().map_err(code)
        }

        fn get_flags(&self) -> Result<fs::DescriptorFlags, Code> {
            self.0.get_flags().map(descriptor_flags_out).map_err(code)
        }

        fn get_type(&self) -> Result<Type, Code> {
            self.0.get_type().map(descriptor_type).map_err(code)
        }

        fn set_size(&self, size: fs::Filesize) -> Result<(), Code> {
            self.0.set_size(size).map_err(code)
        }

        fn set_times(
            &self,
            access: fs::NewTimestamp,
            modification: fs::NewTimestamp,
        ) -> Result<(), Code> {
            self.0
                .set_times(timestamp(access), timestamp(modification))
                .map_err(code)
        }

        fn read(
            &self,
            length: fs::Filesize,
            offset: fs::Filesize,
        ) -> Result<(Vec<u8>, bool), Code> {
            self.0.read(length, offset).map_err(code)
        }

        fn write(&self, buffer: Vec<u8>, offset: fs::Filesize) -> Result<fs::Filesize, Code> {
            self.0.write(&buffer, offset).map_err(code)
        }

        fn read_directory(&self) -> Result<fs::DirectoryEntryStream, Code> {
            self.0
                .read_directory()
                .map(|s| fs::DirectoryEntryStream::new(Entries(s)))
                .map_err(code)
        }

        fn sync(&self) -> Result<(), Code> {
            self.0.sync().map_err(code)
        }

        fn create_directory_at(&self, path: String) -> Result<(), Code> {
            self.0.create_directory_at(&path).map_err(code)
        }

        fn stat(&self) -> Result<fs::DescriptorStat, Code> {
            self.0.stat().map(stat).map_err(code)
        }

        fn stat_at(&self, flags: fs::PathFlags, path: String) -> Result<fs::DescriptorStat, Code> {
            self.0
                .stat_at(path_flags(flags), &path)
                .map(stat)
                .map_err(code)
        }

        fn set_times_at(
            &self,
            flags: fs::PathFlags,
            path: String,
            access: fs::NewTimestamp,
            modification: fs::NewTimestamp,
        ) -> Result<(), Code> {
            self.0
                .set_times_at(
                    path_flags(flags),
                    &path,
                    timestamp(access),
                    timestamp(modification),
                )
                .map_err(code)
        }

        fn link_at(
            &self,
            old_flags: fs::PathFlags,
            old_path: String,
            new_descriptor: fs::DescriptorBorrow<'_>,
            new_path: String,
        ) -> Result<(), Code> {
            self.0
                .link_at(
                    path_flags(old_flags),
                    &old_path,
                    host(&new_descriptor),
                    &new_path,
                )
                .map_err(code)
        }

        fn open_at(
            &self,
            flags: fs::PathFlags,
            path: String,
            open: fs::OpenFlags,
            descriptor_flags: fs::DescriptorFlags,
        ) -> Result<fs::Descriptor, Code> {
            self.0
                .open_at(
                    path_flags(flags),
                    &path,
                    open_flags(open),
                    descriptor_flags_in(descriptor_flags),
                )
                .map(wrap)
                .map_err(code)
        }

        fn readlink_at(&self, path: String) -> Result<String, Code> {
            self.0.readlink_at(&path).map_err(code)
        }

        fn remove_directory_at(&self, path: String) -> Result<(), Code> {
            self.0.remove_directory_at(&path).map_err(code)
        }

        fn rename_at(
            &self,
            old_path: String,
            new_descriptor: fs::DescriptorBorrow<'_>,
            new_path: String,
        ) -> Result<(), Code> {
            self.0
                .rename_at(&old_path, host(&new_descriptor), &new_path)
                .map_err(code)
        }

        fn symlink_at(&self, old_path: String, new_path: String) -> Result<(), Code> {
            self.0.symlink_at(&old_path, &new_path).map_err(code)
        }

        fn unlink_file_at(&self, path: String) -> Result<(), Code> {
            self.0.unlink_file_at(&path).map_err(code)
        }

        fn is_same_object(&self, other: fs::DescriptorBorrow<'_>) -> bool {
            self.0.is_same_object(host(&other))
        }

        fn metadata_hash(&self) -> Result<fs::MetadataHashValue, Code> {
            self.0.metadata_hash().map(hash).map_err(code)
        }

        fn metadata_hash_at(
            &self,
            flags: fs::PathFlags,
            path: String,
        ) -> Result<fs::MetadataHashValue, Code> {
            self.0
                .metadata_hash_at(path_flags(flags), &path)
                .map(hash)
                .map_err(code)
        }
    }

    impl fs::GuestDirectoryEntryStream for Entries {
        fn read_directory_entry(&self) -> Result<Option<fs::DirectoryEntry>, Code> {
            self.0
                .read_directory_entry()
                .map(|entry| {
                    entry.map(|e| fs::DirectoryEntry {
                        type_: descriptor_type(e.type_),
                        name: e.name,
                    })
                })
                .map_err(code)
        }
    }

    impl fs::Guest for Adapter {
        type Descriptor = Descriptor;
        type DirectoryEntryStream = Entries;

        /// Only a host error can carry a filesystem error code; the adapter's own (a value
        /// body's) never does.
        fn filesystem_error_code(err: error::ErrorBorrow<'_>) -> Option<Code> {
            host_error(&err)
                .and_then(hfs::filesystem_error_code)
                .map(code)
        }
    }

    impl preopens::Guest for Adapter {
        fn get_directories() -> Vec<(fs::Descriptor, String)> {
            hpreopens::get_directories()
                .into_iter()
                .map(|(d, path)| (wrap(d), path))
                .collect()
        }
    }
}
