// What this browser can reach (USB serial, Bluetooth), for the connect page. The checks live beside
// the transports they are about; pages ask here, as they do for everything below session/.
export { bluetoothSupport, serialSupport } from '$lib/transport/support';
