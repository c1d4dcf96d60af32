//! The share-link decoder: any text (a crafted or damaged link) is an error or a summary,
//! never a panic or an unbounded allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = logdrop::share::decode(&text);
    // Also as a valid base64url wrapper around arbitrary bytes.
    use base64::Engine;
    let wrapped = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data);
    let _ = logdrop::share::decode(&wrapped);
});
