//! A tungstenite client for `captures/record.sh`: text, binary, a fragmented
//! reply (the echo server's `--fragment`), a Ping, then a normal Close.
//!
//! ```text
//! cargo run -p wsframe-inspect --example tungstenite_client -- ws://127.0.0.1:39417/
//! ```

use tungstenite::{connect, Message};

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:39417/".into());
    let (mut ws, _) = connect(url.as_str())?;
    ws.send(Message::text("Hello from tungstenite"))?;
    println!("{:?}", ws.read()?);
    ws.send(Message::binary(vec![0xA5u8; 300]))?;
    println!("{:?}", ws.read()?);
    ws.send(Message::Ping(b"are you there".to_vec().into()))?;
    println!("{:?}", ws.read()?);
    ws.close(None)?;
    // Read until the server's Close answer and the end of the stream.
    while let Ok(m) = ws.read() {
        println!("{m:?}");
    }
    Ok(())
}
