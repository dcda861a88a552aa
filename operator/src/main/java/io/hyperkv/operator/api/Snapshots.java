package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Scheduled checkpoints of every pod (HyperKVSnapshot objects), and how many to keep. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Snapshots {

  @JsonPropertyDescription("Cron schedule (five fields, as a CronJob's); no scheduled snapshots when absent.")
  @Pattern("^(@(hourly|daily|weekly|monthly|yearly)|(\\S+\\s+){4}\\S+)$")
  public String schedule;

  @JsonPropertyDescription("Scheduled snapshots kept; older ones are deleted.")
  @Min(1)
  @Max(1000)
  @Default("7")
  public Integer retention = 7;
}
