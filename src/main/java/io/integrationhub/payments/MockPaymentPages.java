package io.integrationhub.payments;

import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.payments.PaymentRequests.CheckoutSessionRequest;
import io.integrationhub.payments.PaymentRequests.PortalSessionRequest;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * The mock provider's hosted pages, so a developer can click through checkout and the portal locally: the checkout
 * page shows the line items and pays with a test card (then goes to the session's success URL, or its cancel URL);
 * the portal lists the customer's subscriptions, cancels them, and links back to the return URL. Like Stripe's
 * hosted pages they need no API key: the session id in the URL is the secret. Only with {@code PAYMENT_PROVIDER=mock}.
 */
public class MockPaymentPages extends RouteBuilder {

    private static final String SESSION = "[A-Za-z0-9_]{1,100}";

    @Override
    public void configure() {
        PaymentProvider provider = getContext().getRegistry().lookupByNameAndType(PaymentsConfiguration.PROVIDER_BEAN,
                PaymentProvider.class);
        if (!(provider instanceof MockPayments mock)) {
            return;
        }
        from("platform-http:/mock-payments/checkout/{id}?httpMethodRestrict=GET").routeId("mock-payments-checkout-page")
                .process(e -> {
                    MockPayments.MockObject session = session(e, mock, "/mock-payments/checkout/{id}", "checkout_session");
                    if (session == null) {
                        return;
                    }
                    CheckoutSessionRequest request = JsonResponses.JSON.readValue(session.data(), CheckoutSessionRequest.class);
                    StringBuilder lines = new StringBuilder();
                    for (PaymentRequests.LineItem item : request.lineItems()) {
                        String what = item.price() != null ? item.price()
                                : item.name() + " — " + new io.integrationhub.integrations.Formats().money(item.amount(), item.currency());
                        lines.append("<li>").append(escape(what)).append(" × ").append(item.quantity()).append("</li>");
                    }
                    boolean open = session.status().equals("open");
                    page(e, 200, "Checkout (mock)", "<h1>Checkout</h1><p>Mode: " + escape(request.mode())
                            + " · test mode, nothing is charged</p><ul>" + lines + "</ul>"
                            + (open ? "<form method=\"post\" action=\"/mock-payments/checkout/" + escape(session.id())
                                    + "/pay\"><button type=\"submit\">Pay with test card 4242 4242 4242 4242</button></form>"
                                    + "<p><a href=\"" + escape(request.cancelUrl()) + "\">Cancel</a></p>"
                                    : "<p>This session is complete. <a href=\"" + escape(request.successUrl()) + "\">Continue</a></p>"));
                });

        from("platform-http:/mock-payments/checkout/{id}/pay?httpMethodRestrict=POST").routeId("mock-payments-checkout-pay")
                .process(e -> {
                    MockPayments.MockObject session = session(e, mock, "/mock-payments/checkout/{id}/pay", "checkout_session");
                    if (session == null) {
                        return;
                    }
                    redirect(e, mock.completeCheckout(session.id()));
                });

        from("platform-http:/mock-payments/portal/{id}?httpMethodRestrict=GET").routeId("mock-payments-portal-page")
                .process(e -> {
                    MockPayments.MockObject session = session(e, mock, "/mock-payments/portal/{id}", "portal_session");
                    if (session == null) {
                        return;
                    }
                    PortalSessionRequest request = JsonResponses.JSON.readValue(session.data(), PortalSessionRequest.class);
                    StringBuilder rows = new StringBuilder();
                    for (MockPayments.MockObject subscription : mock.subscriptions(request.customer())) {
                        JsonNode data = JsonResponses.JSON.readTree(subscription.data());
                        boolean ending = data.path("cancelAtPeriodEnd").asBoolean();
                        rows.append("<li>").append(escape(subscription.id())).append(" (").append(escape(data.path("price").asText()))
                                .append("): ").append(escape(subscription.status())).append(ending ? ", ends at period end" : "");
                        if (!subscription.status().equals("canceled") && !ending) {
                            rows.append(" <form method=\"post\" style=\"display:inline\" action=\"/mock-payments/portal/")
                                    .append(escape(session.id())).append("/cancel\"><input type=\"hidden\" name=\"subscription\" value=\"")
                                    .append(escape(subscription.id())).append("\"><button type=\"submit\">Cancel</button></form>");
                        }
                        rows.append("</li>");
                    }
                    page(e, 200, "Customer portal (mock)", "<h1>Your subscriptions</h1><p>Customer " + escape(request.customer())
                            + "</p><ul>" + (rows.isEmpty() ? "<li>No subscriptions</li>" : rows) + "</ul><p><a href=\""
                            + escape(request.returnUrl()) + "\">Return</a></p>");
                });

        from("platform-http:/mock-payments/portal/{id}/cancel?httpMethodRestrict=POST").routeId("mock-payments-portal-cancel")
                .process(e -> {
                    MockPayments.MockObject session = session(e, mock, "/mock-payments/portal/{id}/cancel", "portal_session");
                    if (session == null) {
                        return;
                    }
                    String form = e.getMessage().getBody(String.class);
                    String subscription = form == null ? "" : java.net.URLDecoder.decode(
                            form.replaceFirst("^.*subscription=([^&]*).*$", "$1"), java.nio.charset.StandardCharsets.UTF_8);
                    PortalSessionRequest request = JsonResponses.JSON.readValue(session.data(), PortalSessionRequest.class);
                    boolean owned = mock.subscriptions(request.customer()).stream().anyMatch(s -> s.id().equals(subscription));
                    if (owned) {
                        mock.cancelSubscription(new PaymentRequests.CancelSubscriptionRequest(subscription, true),
                                "portal-" + session.id() + "-" + subscription, Duration.ofSeconds(10));
                    }
                    redirect(e, "/mock-payments/portal/" + session.id());
                });
    }

    private static MockPayments.MockObject session(Exchange e, MockPayments mock, String template, String kind) {
        String id = RequestParameters.path(e, template, "id");
        MockPayments.MockObject session = id != null && id.matches(SESSION) ? mock.find(id, kind).orElse(null) : null;
        if (session == null) {
            page(e, 404, "Not found", "<h1>No such session</h1>");
        }
        return session;
    }

    private static void redirect(Exchange e, String location) {
        e.getMessage().removeHeaders("*");
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 303);
        e.getMessage().setHeader("Location", location);
        e.getMessage().setBody("");
    }

    private static void page(Exchange e, int status, String title, String body) {
        e.getMessage().removeHeaders("*");
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        e.getMessage().setBody("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\">" + body
                + "</body></html>");
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
