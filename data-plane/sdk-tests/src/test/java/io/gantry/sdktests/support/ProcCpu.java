package io.gantry.sdktests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** CPU time of a process from Linux's /proc/&lt;pid&gt;/stat: utime + stime (fields 14 and 15). */
public final class ProcCpu {

    private static volatile long clockTicksPerSecond;

    private ProcCpu() {
    }

    public static Duration of(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/stat", e);
        }
        // the command (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
        return Duration.ofNanos(ticks * 1_000_000_000L / clockTicks());
    }

    private static long clockTicks() {
        if (clockTicksPerSecond == 0) {
            long ticks = 100;
            try {
                Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(getconf.getInputStream().readAllBytes()).trim();
                if (getconf.waitFor() == 0) {
                    ticks = Long.parseLong(out);
                }
            } catch (IOException | NumberFormatException e) {
                // 100 is Linux's USER_HZ everywhere that matters
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicksPerSecond = ticks;
        }
        return clockTicksPerSecond;
    }
}
