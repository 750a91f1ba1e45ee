package dev.junction.delivery;

/**
 * Thrown by a route or a bean when retrying cannot help (for example a payload the route cannot map): the message is
 * dead-lettered at once instead of spending the partner's retries.
 */
public class NonRetryableDeliveryException extends RuntimeException {

    public NonRetryableDeliveryException(String message) {
        super(message);
    }

    public NonRetryableDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
