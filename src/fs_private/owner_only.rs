//! Windows: a file or directory only its user may open, as 0600 and 0700 are
//! on Unix. The object's DACL is replaced by one that grants the current user
//! (the process token's user) full control, protected from inheriting the
//! parent's entries; a directory's entry is inherited by what is created in it.

use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
    SE_FILE_OBJECT, SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorDacl, GetTokenInformation,
    PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// Restricts `path` to the current user; `inherited` for a directory whose
/// contents should get the same.
pub fn restrict(path: &Path, inherited: bool) -> io::Result<()> {
    let sid = current_user_sid()?;
    // P: protected (the parent's entries no longer apply); A: allow; FA: all
    // file rights; OICI: files and directories created inside inherit it.
    let flags = if inherited { "OICI" } else { "" };
    let sddl = wide(&format!("D:P(A;{flags};FA;;;{sid})"));
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: sddl is NUL-terminated; descriptor receives a LocalAlloc'd block freed below.
    if unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &raw mut descriptor,
            std::ptr::null_mut(),
        )
    } == 0
    {
        return Err(io::Error::last_os_error());
    }
    let result = apply(path, descriptor);
    // SAFETY: allocated by the conversion above, freed once.
    unsafe { LocalFree(descriptor) };
    result
}

fn apply(path: &Path, descriptor: PSECURITY_DESCRIPTOR) -> io::Result<()> {
    let (mut present, mut defaulted) = (0, 0);
    let mut dacl: *mut ACL = std::ptr::null_mut();
    // SAFETY: descriptor is valid; the outputs are writable locals.
    if unsafe { GetSecurityDescriptorDacl(descriptor, &raw mut present, &raw mut dacl, &raw mut defaulted) }
        == 0
    {
        return Err(io::Error::last_os_error());
    }
    let name: Vec<u16> = path.as_os_str().encode_wide().chain(Some(0)).collect();
    // SAFETY: name is NUL-terminated; dacl points into descriptor, alive for the call.
    let status = unsafe {
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        )
    };
    if status != 0 {
        return Err(io::Error::from_raw_os_error(
            i32::try_from(status).unwrap_or(i32::MAX),
        ));
    }
    Ok(())
}

/// The current user's SID as text (`S-1-5-21-…`).
fn current_user_sid() -> io::Result<String> {
    struct Token(HANDLE);
    impl Drop for Token {
        fn drop(&mut self) {
            // SAFETY: opened below, closed once.
            unsafe { CloseHandle(self.0) };
        }
    }
    let mut handle: HANDLE = std::ptr::null_mut();
    // SAFETY: the pseudo handle of this process; handle receives a new token handle.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw mut handle) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let token = Token(handle);
    // TOKEN_USER plus the SID it points into; u64 keeps the buffer aligned.
    let mut buffer = [0u64; 64];
    let mut needed = 0u32;
    let size = u32::try_from(std::mem::size_of_val(&buffer)).map_err(io::Error::other)?;
    // SAFETY: buffer is writable for `size` bytes.
    if unsafe {
        GetTokenInformation(
            token.0,
            TokenUser,
            buffer.as_mut_ptr().cast(),
            size,
            &raw mut needed,
        )
    } == 0
    {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: GetTokenInformation(TokenUser) filled the buffer with a TOKEN_USER.
    let user = unsafe { &*buffer.as_ptr().cast::<TOKEN_USER>() };
    let mut text: windows_sys::core::PWSTR = std::ptr::null_mut();
    // SAFETY: the SID is valid while buffer lives; text receives a LocalAlloc'd string.
    if unsafe { ConvertSidToStringSidW(user.User.Sid, &raw mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: text is NUL-terminated, from the call above.
    let len = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: len u16s are readable at text.
    let sid = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) });
    // SAFETY: allocated by ConvertSidToStringSidW, freed once.
    unsafe { LocalFree(text.cast()) };
    Ok(sid)
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}
