package io.integrationhub.outbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry schedule as a pure function: how it is read from a setting, and the wait it gives after each attempt. */
class RetryScheduleTest {

    private static final String KEY = "sms.retry-schedule";
    private static final Duration CAP = Duration.ofMinutes(10);

    private static RetrySchedule parse(String text) {
        return RetrySchedule.parse(KEY, text, CAP);
    }

    @Test
    void readsEveryUnitInOrder() {
        RetrySchedule schedule = parse("50ms, 5s,30m ,2h");

        assertThat(schedule.waits()).containsExactly(Duration.ofMillis(50), Duration.ofSeconds(5),
                Duration.ofMinutes(30), Duration.ofHours(2));
        assertThat(schedule.maximumAttempts()).isEqualTo(5);
        assertThat(schedule.maximumRetryAfter()).isEqualTo(CAP);
    }

    @Test
    void unitsAreReadWhateverTheirCase() {
        assertThat(parse("250MS, 2S, 1M, 1H").waits()).containsExactly(Duration.ofMillis(250), Duration.ofSeconds(2),
                Duration.ofMinutes(1), Duration.ofHours(1));
    }

    @Test
    void noneMeansOneAttemptAndNoRetry() {
        for (String none : List.of("none", " NONE ", "None")) {
            RetrySchedule schedule = parse(none);
            assertThat(schedule.waits()).as(none).isEmpty();
            assertThat(schedule.maximumAttempts()).as(none).isEqualTo(1);
            assertThat(schedule.next(1, null)).as(none).isEmpty();
            // not even a provider's Retry-After earns a retry the schedule does not have
            assertThat(schedule.next(1, Duration.ofSeconds(1))).as(none).isEmpty();
        }
    }

    @Test
    void badInputIsRefusedNamingTheSettingAndTheValue() {
        // a negative wait would retry at once, in a tight loop against a failing provider
        for (String bad : List.of("5x", "soon", "5s, later", "ms", "1.5s", "5", "-5s", "5s, -1ms")) {
            assertThatThrownBy(() -> parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("setting " + KEY)
                    .hasMessageContaining("500ms, 5s, 30m or 2h");
        }
        assertThatThrownBy(() -> parse("5s, 10 minutes")).hasMessageContaining("10 minutes'");
    }

    @Test
    void eachAttemptWaitsItsOwnStepThenNoAttemptIsLeftAfterTheLastWait() {
        RetrySchedule schedule = parse("100ms, 2s, 1m");

        assertThat(schedule.next(1, null)).hasValue(Duration.ofMillis(100));
        assertThat(schedule.next(2, null)).hasValue(Duration.ofSeconds(2));
        assertThat(schedule.next(3, null)).hasValue(Duration.ofMinutes(1));
        // the 4th attempt was the last the schedule allows: whatever the provider says, the message is dead
        assertThat(schedule.next(4, null)).isEmpty();
        assertThat(schedule.next(4, Duration.ofSeconds(1))).isEmpty();
        assertThat(schedule.next(5, null)).isEmpty();
        assertThat(schedule.maximumAttempts()).isEqualTo(4);
    }

    @Test
    void noAttemptMadeHasNoWait() {
        assertThat(parse("1s").next(0, null)).isEmpty();
    }

    @Test
    void retryAfterReplacesTheWaitForThatAttempt() {
        RetrySchedule schedule = parse("100ms, 2s, 1m");

        assertThat(schedule.next(1, Duration.ofSeconds(3))).hasValue(Duration.ofSeconds(3));
        // shorter than the schedule's step too: the provider knows when it will take the message
        assertThat(schedule.next(3, Duration.ofSeconds(1))).hasValue(Duration.ofSeconds(1));
        assertThat(schedule.next(2, Duration.ZERO)).hasValue(Duration.ZERO);
        // and only that attempt: the next one without a Retry-After is back on the schedule
        assertThat(schedule.next(2, null)).hasValue(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterIsCapped() {
        RetrySchedule schedule = parse("100ms, 2s");

        assertThat(schedule.next(1, CAP)).hasValue(CAP);
        assertThat(schedule.next(1, CAP.plusMillis(1))).hasValue(CAP);
        assertThat(schedule.next(2, Duration.ofDays(1))).hasValue(CAP);
    }

    @Test
    void theWaitsAreACopy() {
        java.util.ArrayList<Duration> waits = new java.util.ArrayList<>(List.of(Duration.ofSeconds(1)));
        RetrySchedule schedule = new RetrySchedule(waits, CAP);
        waits.add(Duration.ofSeconds(2));

        assertThat(schedule.maximumAttempts()).isEqualTo(2);
        assertThat(schedule.next(2, null)).isEqualTo(Optional.empty());
    }
}
