import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes Stripe-signed events for the webhook benchmark, one per line: the Stripe-Signature header, a tab, the body.
 * Every event has its own id (each one is verified, stored and acknowledged; none is a duplicate) and is signed now,
 * so the file is good for the hub's timestamp tolerance (five minutes by default).
 * <pre>java bench/SignStripeEvents.java COUNT SECRET OUT-FILE [RUN-NAME]</pre>
 */
public class SignStripeEvents {

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        String secret = args[1];
        Path out = Path.of(args[2]);
        String run = args.length > 3 ? args[3] : Long.toString(System.nanoTime(), 36);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String t = Long.toString(System.currentTimeMillis() / 1000);
        HexFormat hex = HexFormat.of();
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                String body = "{\"id\":\"evt_bench_" + run + "_" + i + "\",\"object\":\"event\",\"api_version\":\"2024-06-20\","
                        + "\"created\":" + t + ",\"type\":\"payment_intent.created\",\"livemode\":false,"
                        + "\"data\":{\"object\":{\"id\":\"pi_bench_" + run + "_" + i + "\",\"object\":\"payment_intent\","
                        + "\"amount\":1999,\"currency\":\"usd\",\"status\":\"requires_payment_method\"}}}";
                String signature = hex.formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
                writer.write("t=" + t + ",v1=" + signature);
                writer.write('\t');
                writer.write(body);
                writer.write('\n');
            }
        }
    }
}
