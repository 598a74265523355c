package io.integrationhub.payments;

/** What the hub asks the payment provider to do: one entry route and one REST path each. */
public enum PaymentOperation {

    CHARGE("charge-payment", "charge", Charge.class),
    CREATE_CUSTOMER("create-customer", "customer", Customer.class),
    CREATE_CHECKOUT_SESSION("create-checkout-session", "checkout-session", CheckoutSession.class),
    CREATE_PORTAL_SESSION("create-portal-session", "portal-session", PortalSession.class),
    REFUND("refund-payment", "refund", Refund.class),
    CANCEL_SUBSCRIPTION("cancel-subscription", "subscription-cancel", Subscription.class);

    private final String route;
    private final String stored;
    private final Class<?> resultType;

    PaymentOperation(String route, String stored, Class<?> resultType) {
        this.route = route;
        this.stored = stored;
        this.resultType = resultType;
    }

    /** The in-JVM entry: {@code direct:<route>}. */
    public String route() {
        return route;
    }

    /** The name in the store's record of operations. */
    public String stored() {
        return stored;
    }

    public Class<?> resultType() {
        return resultType;
    }

    public static PaymentOperation ofStored(String name) {
        for (PaymentOperation operation : values()) {
            if (operation.stored.equals(name)) {
                return operation;
            }
        }
        throw new IllegalArgumentException("unknown payment operation " + name);
    }
}
