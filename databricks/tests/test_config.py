import pytest

from brewline_pipeline.config import parse_args, parse_duration_ms, spark_interval


def test_durations_parse_like_brewline() -> None:
    assert parse_duration_ms("10m") == 600_000
    assert parse_duration_ms("1h30m") == 5_400_000
    assert parse_duration_ms("500ms") == 500
    assert spark_interval(3_600_000) == "3600 seconds"
    assert spark_interval(1500) == "1500 milliseconds"
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration_ms("10 minutes")
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration_ms("")


def test_arguments_are_named_like_brewline_flags() -> None:
    args = parse_args(
        [
            "--source",
            "file:/tmp/in",
            "--lakehouse",
            "/tmp/lh",
            "--output-mode",
            "update",
            "--window",
            "30m",
            "--window-offset",
            "0s",
            "--watermark-delay",
            "5m",
            "--trigger",
            "1s",
            "--max-records-per-batch",
            "500",
        ],
        "test",
        "test",
    )
    assert args.file_path == "/tmp/in"
    assert (args.window_ms, args.window_offset_ms, args.watermark_delay_ms) == (1_800_000, 0, 300_000)
    assert args.output_mode == "update"
    assert args.trigger_ms == 1000 and not args.available_now
    assert args.max_records_per_batch == 500


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--source", "s3://x"], "test", "test")
    assert exit_info.value.code == 2
    assert "--source must be kafka or file:PATH" in capsys.readouterr().err


def test_offset_log_batch_watermark() -> None:
    from brewline_pipeline.checkpoint import parse_batch_watermark_ms

    text = 'v1\n{"batchWatermarkMs":4500000,"batchTimestampMs":1796142537479,"conf":{}}\n{"reservoirVersion":2}\n'
    assert parse_batch_watermark_ms(text) == 4_500_000
    with pytest.raises(ValueError, match="offset log"):
        parse_batch_watermark_ms("{}")
