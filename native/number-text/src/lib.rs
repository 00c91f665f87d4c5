#![no_std]
//! Number-to-text for Watershed's hot JSON encoders: the digits JavaScript's `String(x)` gives,
//! written into linear memory. Built to wasm32 by scripts/build-number-text.sh into
//! transforms/io/number-text.wasm; see transforms/io/number-text.ts.

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

static mut OUT: [u8; 64] = [0; 64];

/// Address of the 64-byte output area.
#[unsafe(no_mangle)]
pub extern "C" fn out_ptr() -> *const u8 {
    core::ptr::addr_of!(OUT) as *const u8
}

/// Writes `x` as ECMAScript Number::toString would (finite values) and returns the length.
#[unsafe(no_mangle)]
pub extern "C" fn format_f64(x: f64) -> u32 {
    let mut buf = ryu_js::Buffer::new();
    let s = buf.format(x).as_bytes();
    unsafe {
        let out = &mut *core::ptr::addr_of_mut!(OUT);
        out[..s.len()].copy_from_slice(s);
    }
    s.len() as u32
}
