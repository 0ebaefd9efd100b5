/**
 * An image pull that failed on the way (a timeout, a registry 5xx, a dropped
 * connection), not because the image does not exist: running the step again may work.
 */
export const TRANSIENT_PULL =
  /i\/o timeout|context deadline exceeded|TLS handshake timeout|connection (reset|refused)|\b50[0234]\b|Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error/i;
