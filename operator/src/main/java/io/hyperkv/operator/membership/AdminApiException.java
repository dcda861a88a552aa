package io.hyperkv.operator.membership;

/** A failed admin-API call: unreachable node, timeout, refused token, or an answer outside the contract. */
public class AdminApiException extends Exception {
  public AdminApiException(String message) {
    super(message);
  }

  public AdminApiException(String message, Throwable cause) {
    super(message, cause);
  }
}
