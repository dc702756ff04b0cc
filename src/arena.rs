//! How the allocator's arena is set up on Linux, before `main` and before
//! anything allocates. A command that loads every target (the switcher, `ls`,
//! `run`, completion: with an organization, tens of megabytes of small
//! objects) gets an arena committed up front, which the kernel backs with
//! transparent huge pages: a few hundred page faults instead of ~6,400 at
//! 15,000 targets, half the system time (README, Performance). Every other
//! command keeps mimalloc's lazy arena: a cached hand-out touches little
//! memory, and faulting in a 2 MiB page costs it more than a few 4 KiB ones.
//!
//! The command is guessed from the raw command line, without allocating and
//! before clap: a wrong guess costs time, never behaviour. Memory is only used
//! as it is touched either way; under strict overcommit accounting
//! (`vm.overcommit_memory = 2`) the arena stays lazy, so no process is charged
//! a gigabyte it never uses.

/// `mi_option_arena_eager_commit` in mimalloc.h (v3). Its default, 2 ("where
/// the kernel overcommits"), left hats' first arena lazy: that arena is
/// reserved before mimalloc has read the kernel's setting.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Subcommands that load every target. (`use` without a target does too, but
/// `use --hook` runs at every prompt and must stay lean.)
const LOAD_EVERY_TARGET: [&[u8]; 7] = [b"ls", b"run", b"keys", b"org", b"sso", b"saml", b"profiles"];

#[used]
#[unsafe(link_section = ".init_array")]
static SET_UP_ARENA: extern "C" fn() = set_up_arena;

extern "C" fn set_up_arena() {
    let mut cmdline = [0u8; 512];
    let len = read_start(c"/proc/self/cmdline", &mut cmdline);
    // SAFETY: a NUL-terminated name; no other thread exists yet to change the environment.
    let completing = !unsafe { libc::getenv(c"HATS_COMPLETE".as_ptr()) }.is_null();
    if (completing || loads_every_target(&cmdline[..len])) && kernel_overcommits() {
        // SAFETY: sets a plain option value; nothing has allocated yet, and
        // mimalloc reads it when it reserves its first arena.
        unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 1) };
    }
}

/// Whether the NUL-separated command line names no subcommand (the switcher)
/// or one of [`LOAD_EVERY_TARGET`], and does not only ask for help or the version.
fn loads_every_target(cmdline: &[u8]) -> bool {
    // Up to `--`: what follows is a child's command line (`hats run --all -- aws --version`).
    let mut args = cmdline.split(|&b| b == 0).skip(1).take_while(|arg| *arg != b"--");
    if args
        .clone()
        .any(|arg| matches!(arg, b"--help" | b"-h" | b"--version" | b"-V"))
    {
        return false;
    }
    let command = args.find(|arg| !arg.starts_with(b"-")).unwrap_or_default();
    command.is_empty() || LOAD_EVERY_TARGET.contains(&command)
}

/// Whether `/proc/sys/vm/overcommit_memory` is 0 (heuristic) or 1 (always).
fn kernel_overcommits() -> bool {
    let mut mode = [0u8; 1];
    read_start(c"/proc/sys/vm/overcommit_memory", &mut mode) == 1 && matches!(mode[0], b'0' | b'1')
}

/// Reads the start of `path` into `buf` without allocating; the length read (0 on any error).
fn read_start(path: &std::ffi::CStr, buf: &mut [u8]) -> usize {
    // SAFETY: a NUL-terminated path; at most `buf.len()` bytes are written
    // into `buf`; the descriptor is closed before returning.
    let read = unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return 0;
        }
        let read = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        libc::close(fd);
        read
    };
    usize::try_from(read).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::loads_every_target;

    #[test]
    fn commands_that_load_every_target_are_told_from_hand_outs() {
        let cases: [(&[u8], bool); 13] = [
            (b"hats\0", true),
            (b"hats\0--verbose\0", true),
            (b"/usr/bin/hats\0ls\0--json\0", true),
            (b"hats\0-v\0run\0--all\0--\0true\0", true),
            (b"hats\0profiles\0sync\0", true),
            (b"hats\0run\0--all\0--\0aws\0--version\0", true),
            (b"hats\0env\0prod\0", false),
            (b"hats\0exec\0prod\0--\0ls\0", false),
            (b"hats\0credential-process\0prod\0", false),
            (b"hats\0use\0--hook\0", false),
            (b"hats\0--verbose\0exec\0run\0", false),
            (b"hats\0--version\0", false),
            (b"hats\0ls\0--help\0", false),
        ];
        for (cmdline, every) in cases {
            assert_eq!(
                loads_every_target(cmdline),
                every,
                "{}",
                String::from_utf8_lossy(cmdline)
            );
        }
    }
}
