package io.integrationhub.payments;

import java.net.URI;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.channel.JsonFields;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.email.EmailAddress;

/**
 * The payment requests the hub takes, and their validation: everything Stripe would refuse for its shape (amounts,
 * currencies, ids, metadata, URLs) is refused here first, naming the field, before anything is stored or sent.
 */
public final class PaymentRequests {

    public static final int MAX_METADATA = 50;
    public static final int MAX_METADATA_KEY = 40;
    public static final int MAX_METADATA_VALUE = 500;
    public static final int MAX_LINE_ITEMS = 100;
    public static final Set<String> REFUND_REASONS = Set.of("duplicate", "fraudulent", "requested_by_customer");

    private static final Pattern PAYMENT_METHOD = Pattern.compile("(pm|card|src|tok)_[A-Za-z0-9_]{1,200}");
    private static final Pattern CUSTOMER = Pattern.compile("cus_[A-Za-z0-9]{1,200}");
    private static final Pattern PRICE = Pattern.compile("price_[A-Za-z0-9]{1,200}");
    private static final Pattern SUBSCRIPTION = Pattern.compile("sub_[A-Za-z0-9]{1,200}");
    /** A charge to refund: the hub's id, or the provider's payment intent or charge. */
    private static final Pattern CHARGE = Pattern.compile("(pay|pi|ch)_[A-Za-z0-9]{1,200}");
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_METADATA_KEY + "}");

    /** {@code POST /api/v1/payments/charges}: a payment intent created and confirmed at once. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChargeRequest(long amount, String currency, String paymentMethod, String customer, String description,
                                Map<String, String> metadata, boolean capture) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CustomerRequest(String email, String name, Map<String, String> metadata) {
    }

    /** One line of a checkout: a price of the provider's catalogue, or an amount with a product name. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LineItem(String price, long quantity, Long amount, String currency, String name) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CheckoutSessionRequest(String mode, List<LineItem> lineItems, String successUrl, String cancelUrl,
                                         String customer) {
    }

    public record PortalSessionRequest(String customer, String returnUrl) {
    }

    /**
     * {@code charge} as the caller named it; {@code paymentIntent} the provider's payment intent (or charge) it
     * resolves to, set by the hub.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RefundRequest(String charge, Long amount, String reason, String paymentIntent) {

        public RefundRequest resolved(String providerId) {
            return new RefundRequest(charge, amount, reason, providerId);
        }
    }

    public record CancelSubscriptionRequest(String subscription, boolean atPeriodEnd) {
    }

    private PaymentRequests() {
    }

    /** The request of an operation, from its JSON; an {@link InvalidMessageException} naming every bad field. */
    public static Object parse(PaymentOperation operation, JsonNode node) {
        return switch (operation) {
            case CHARGE -> charge(node);
            case CREATE_CUSTOMER -> customer(node);
            case CREATE_CHECKOUT_SESSION -> checkoutSession(node);
            case CREATE_PORTAL_SESSION -> portalSession(node);
            case REFUND -> refund(node);
            case CANCEL_SUBSCRIPTION -> cancelSubscription(node);
        };
    }

    public static ChargeRequest charge(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, Set.of("amount", "currency", "paymentMethod", "customer", "description",
                "metadata", "capture"), "", errors);
        Currency currency = currency(node, "currency", true, errors);
        Long amount = amount(node, "amount", currency, true, errors);
        String paymentMethod = id(node, "paymentMethod", PAYMENT_METHOD, "a payment method id such as pm_card_visa", true, errors);
        String customer = id(node, "customer", CUSTOMER, "a customer id (cus_...)", false, errors);
        String description = text(node, "description", 1000, errors);
        Map<String, String> metadata = metadata(node, errors);
        boolean capture = bool(node, "capture", true, errors);
        check(errors);
        return new ChargeRequest(amount, code(currency), paymentMethod, customer, description, metadata, capture);
    }

    public static CustomerRequest customer(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, Set.of("email", "name", "metadata"), "", errors);
        String email = JsonFields.text(node, "email", "", errors);
        if (email == null) {
            if (errors.stream().noneMatch(e -> e.field().equals("email"))) {
                errors.add(new FieldError("email", "is required"));
            }
        } else {
            try {
                EmailAddress address = EmailAddress.parse(email);
                if (address.name() != null) {
                    errors.add(new FieldError("email", "must be a bare address such as ann@example.com"));
                }
                email = address.address();
            } catch (IllegalArgumentException invalid) {
                errors.add(new FieldError("email", invalid.getMessage()));
            }
        }
        String name = text(node, "name", 256, errors);
        Map<String, String> metadata = metadata(node, errors);
        check(errors);
        return new CustomerRequest(email, name, metadata);
    }

    public static CheckoutSessionRequest checkoutSession(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, Set.of("mode", "lineItems", "successUrl", "cancelUrl", "customer"), "", errors);
        String mode = JsonFields.text(node, "mode", "", errors);
        if (mode == null || !(mode.equals("payment") || mode.equals("subscription"))) {
            errors.add(new FieldError("mode", "must be payment or subscription"));
        }
        List<LineItem> items = new ArrayList<>();
        JsonNode lines = node.get("lineItems");
        if (lines == null || !lines.isArray() || lines.isEmpty() || lines.size() > MAX_LINE_ITEMS) {
            errors.add(new FieldError("lineItems", "must be a list of 1 to " + MAX_LINE_ITEMS + " items"));
        } else {
            for (int i = 0; i < lines.size(); i++) {
                LineItem item = lineItem(lines.get(i), "lineItems[" + i + "]", "subscription".equals(mode), errors);
                if (item != null) {
                    items.add(item);
                }
            }
        }
        String successUrl = url(node, "successUrl", true, errors);
        String cancelUrl = url(node, "cancelUrl", true, errors);
        String customer = id(node, "customer", CUSTOMER, "a customer id (cus_...)", false, errors);
        check(errors);
        return new CheckoutSessionRequest(mode, List.copyOf(items), successUrl, cancelUrl, customer);
    }

    private static LineItem lineItem(JsonNode item, String path, boolean subscription, List<FieldError> errors) {
        if (item == null || !item.isObject()) {
            errors.add(new FieldError(path, "must be an object: {price, quantity} or {amount, currency, name, quantity}"));
            return null;
        }
        List<FieldError> own = new ArrayList<>();
        JsonFields.refuseUnknown(item, Set.of("price", "quantity", "amount", "currency", "name"), path + ".", own);
        long quantity = 1;
        JsonNode q = item.get("quantity");
        if (q != null && !q.isNull()) {
            if (!q.isIntegralNumber() || !q.canConvertToLong() || q.longValue() < 1 || q.longValue() > 999_999) {
                own.add(new FieldError(path + ".quantity", "must be a whole number from 1 to 999999"));
            } else {
                quantity = q.longValue();
            }
        }
        LineItem line = null;
        if (item.has("price")) {
            if (item.has("amount") || item.has("currency") || item.has("name")) {
                own.add(new FieldError(path, "has a price, or an amount, currency and name; not both"));
            }
            String price = id(item, "price", PRICE, "a price id (price_...)", true, own, path + ".");
            line = new LineItem(price, quantity, null, null, null);
        } else if (subscription) {
            own.add(new FieldError(path + ".price", "is required in subscription mode (a recurring price id, price_...)"));
        } else {
            Currency currency = currency(item, "currency", true, own, path + ".");
            Long amount = amount(item, "amount", currency, true, own, path + ".");
            String name = JsonFields.text(item, "name", path + ".", own);
            if (name == null || name.isBlank() || name.length() > 250 || name.chars().anyMatch(Character::isISOControl)) {
                own.add(new FieldError(path + ".name", "is required: the product's name, 1 to 250 characters"));
            }
            line = new LineItem(null, quantity, amount, code(currency), name);
        }
        errors.addAll(own);
        return own.isEmpty() ? line : null;
    }

    public static PortalSessionRequest portalSession(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, Set.of("customer", "returnUrl"), "", errors);
        String customer = id(node, "customer", CUSTOMER, "a customer id (cus_...)", true, errors);
        String returnUrl = url(node, "returnUrl", true, errors);
        check(errors);
        return new PortalSessionRequest(customer, returnUrl);
    }

    public static RefundRequest refund(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, Set.of("charge", "amount", "reason"), "", errors);
        String charge = id(node, "charge", CHARGE, "a charge id (pay_... from the hub, or the provider's pi_...)", true, errors);
        Long amount = node.has("amount") && !node.get("amount").isNull() ? amount(node, "amount", null, true, errors) : null;
        String reason = JsonFields.text(node, "reason", "", errors);
        if (reason != null && !REFUND_REASONS.contains(reason)) {
            errors.add(new FieldError("reason", "must be one of duplicate, fraudulent, requested_by_customer"));
        }
        check(errors);
        return new RefundRequest(charge, amount, reason, null);
    }

    /** The subscription comes from the path ({@code subscription}), the rest from the body. */
    public static CancelSubscriptionRequest cancelSubscription(JsonNode node) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields.refuseUnknown(node, Set.of("subscription", "atPeriodEnd"), "", errors);
        String subscription = id(node, "subscription", SUBSCRIPTION, "a subscription id (sub_...)", true, errors);
        boolean atPeriodEnd = bool(node, "atPeriodEnd", false, errors);
        check(errors);
        return new CancelSubscriptionRequest(subscription, atPeriodEnd);
    }

    private static void check(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidMessageException(errors);
        }
    }

    private static String code(Currency currency) {
        return currency == null ? null : currency.getCurrencyCode().toLowerCase(Locale.ROOT);
    }

    private static Currency currency(JsonNode node, String field, boolean required, List<FieldError> errors) {
        return currency(node, field, required, errors, "");
    }

    private static Currency currency(JsonNode node, String field, boolean required, List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(path + field, "is required: an ISO 4217 code such as usd"));
            }
            return null;
        }
        Currency currency = value.isTextual() ? Currencies.chargeable(value.textValue()) : null;
        if (currency == null) {
            errors.add(new FieldError(path + field, "must be an ISO 4217 currency code such as usd (lower or upper case)"));
        }
        return currency;
    }

    private static Long amount(JsonNode node, String field, Currency currency, boolean required, List<FieldError> errors) {
        return amount(node, field, currency, required, errors, "");
    }

    /** An integer in the currency's minor units, within Stripe's minimum for the currency and its eight digits. */
    private static Long amount(JsonNode node, String field, Currency currency, boolean required, List<FieldError> errors,
                               String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(path + field, "is required: an integer in the currency's smallest unit (1999 for $19.99)"));
            }
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            errors.add(new FieldError(path + field, "must be an integer in the currency's smallest unit (1999 for $19.99, 1200 for ¥1,200)"));
            return null;
        }
        long amount = value.longValue();
        if (amount < 1 || amount > Currencies.MAXIMUM_AMOUNT) {
            errors.add(new FieldError(path + field, "must be from 1 to " + Currencies.MAXIMUM_AMOUNT));
            return null;
        }
        if (currency != null && amount < Currencies.minimumAmount(currency)) {
            errors.add(new FieldError(path + field, "is below the smallest charge in " + code(currency) + ": "
                    + Currencies.minimumAmount(currency) + " (" + Currencies.majorUnits(Currencies.minimumAmount(currency), currency)
                    + " " + currency.getCurrencyCode() + ")"));
            return null;
        }
        return amount;
    }

    private static String id(JsonNode node, String field, Pattern shape, String what, boolean required, List<FieldError> errors) {
        return id(node, field, shape, what, required, errors, "");
    }

    private static String id(JsonNode node, String field, Pattern shape, String what, boolean required,
                             List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(path + field, "is required: " + what));
            }
            return null;
        }
        if (!value.isTextual() || !shape.matcher(value.textValue()).matches()) {
            errors.add(new FieldError(path + field, "must be " + what));
            return null;
        }
        return value.textValue();
    }

    private static String text(JsonNode node, String field, int max, List<FieldError> errors) {
        String value = JsonFields.text(node, field, "", errors);
        if (value != null && (value.length() > max || value.chars().anyMatch(ch -> ch < 0x20 && ch != '\n' && ch != '\t'))) {
            errors.add(new FieldError(field, "must be at most " + max + " characters without control characters"));
            return null;
        }
        return value;
    }

    private static boolean bool(JsonNode node, String field, boolean absent, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isBoolean()) {
            errors.add(new FieldError(field, "must be true or false"));
            return absent;
        }
        return value.booleanValue();
    }

    private static String url(JsonNode node, String field, boolean required, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required: an http(s) URL"));
            }
            return null;
        }
        String text = value.isTextual() ? value.textValue() : "";
        try {
            // Stripe fills in {CHECKOUT_SESSION_ID} on the way back
            URI uri = new URI(text.replace("{CHECKOUT_SESSION_ID}", "session"));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && text.length() <= 2048
                    && text.chars().noneMatch(Character::isISOControl)) {
                return text;
            }
        } catch (Exception invalid) {
            // refused below
        }
        errors.add(new FieldError(field, "must be an absolute http(s) URL of at most 2048 characters"));
        return null;
    }

    /**
     * Metadata as Stripe takes it: at most 50 keys of up to 40 characters (letters, digits, {@code _ . : -}: no
     * brackets, which Stripe's form encoding would read as nesting) with string values of up to 500 characters.
     */
    private static Map<String, String> metadata(JsonNode node, List<FieldError> errors) {
        JsonNode value = node.get("metadata");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            errors.add(new FieldError("metadata", "must be an object of string values"));
            return null;
        }
        if (value.size() > MAX_METADATA) {
            errors.add(new FieldError("metadata", "has " + value.size() + " keys; at most " + MAX_METADATA + " are allowed"));
            return null;
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = fields.next();
            String key = entry.getKey();
            if (!METADATA_KEY.matcher(key).matches()) {
                errors.add(new FieldError("metadata", "keys must be 1 to " + MAX_METADATA_KEY
                        + " letters, digits or _ . : - (no brackets or spaces)"));
                return null;
            }
            JsonNode v = entry.getValue();
            if (!v.isTextual() || v.textValue().length() > MAX_METADATA_VALUE || v.textValue().indexOf('\0') >= 0) {
                errors.add(new FieldError("metadata." + key, "must be a string of at most " + MAX_METADATA_VALUE + " characters"));
                return null;
            }
            metadata.put(key, v.textValue());
        }
        return new LinkedHashMap<>(metadata);
    }
}
