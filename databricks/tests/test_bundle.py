"""The Asset Bundle checked offline: the typed resource models of the `databricks-bundles` package (the same
models `databricks bundle` generates from), then the rules a schema cannot express — the DAG's shape, no
dependencies in a continuous job, every referenced file present, every SQL file parsing as Databricks SQL, and
the dashboard's queries naming tables and columns that exist."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from databricks.bundles.dashboards import Dashboard
from databricks.bundles.jobs import Job
from databricks.bundles.schemas import Schema
from databricks.bundles.volumes import Volume
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

ROOT = Path(__file__).resolve().parents[1]

# DOMAIN.md's tables (the layout every engine writes), plus what the bundle's SQL tasks create.
DOMAIN_TABLES: dict[str, dict[str, str]] = {
    "bronze.orders_raw": dict.fromkeys(
        "value key topic partition offset timestamp timestamp_type ingestion_timestamp batch_id".split(),
        "STRING",
    ),
    "silver.order_items": dict.fromkeys(
        "order_id event_time branch terminal_id mode_of_payment line_no item_id item_name category unit_price "
        "quantity line_amount order_total source_partition source_offset ingestion_timestamp".split(),
        "STRING",
    ),
    "silver.quarantine": dict.fromkeys(
        "source_partition source_offset value reason ingestion_timestamp".split(), "STRING"
    ),
    "gold.branch_revenue": {
        "window_start": "TIMESTAMP",
        "window_end": "TIMESTAMP",
        "branch": "STRING",
        "revenue": "DECIMAL(18,2)",
        "orders": "BIGINT",
        "items": "BIGINT",
    },
    "gold.product_popularity": {
        "window_start": "TIMESTAMP",
        "window_end": "TIMESTAMP",
        "item_id": "STRING",
        "item_name": "STRING",
        "category": "STRING",
        "quantity": "BIGINT",
        "revenue": "DECIMAL(18,2)",
        "orders": "BIGINT",
    },
    "gold.hourly_sales": {
        "window_start": "TIMESTAMP",
        "window_end": "TIMESTAMP",
        "revenue": "DECIMAL(18,2)",
        "orders": "BIGINT",
        "items": "BIGINT",
        "avg_order_value": "DECIMAL(18,2)",
    },
    "ops.stream_progress": dict.fromkeys(
        "query_name batch_id timestamp num_input_rows input_rows_per_second processed_rows_per_second duration_ms "
        "event_time_min event_time_max watermark num_rows_dropped_by_watermark state_operators state_rows "
        "sources".split(),
        "STRING",
    ),
}

VARIABLE_REF = re.compile(r"\$\{var\.([A-Za-z0-9_]+)\}")
RESOURCE_REF = re.compile(r"\$\{resources\.([a-z_]+)\.([A-Za-z0-9_]+)\.[a-z_]+\}")


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return load_yaml(ROOT / "databricks.yml")


def resource_files(bundle: dict[str, Any]) -> list[Path]:
    files: list[Path] = []
    for pattern in bundle["include"]:
        files.extend(Path(p) for p in sorted(glob.glob(str(ROOT / pattern))))
    return files


@pytest.fixture(scope="module")
def resources(bundle: dict[str, Any]) -> dict[str, dict[str, tuple[Path, dict[str, Any]]]]:
    """Every resource by kind and key, with the file that declares it (paths are relative to that file)."""
    out: dict[str, dict[str, tuple[Path, dict[str, Any]]]] = {}
    for file in resource_files(bundle):
        for kind, items in load_yaml(file)["resources"].items():
            for key, value in items.items():
                assert key not in out.setdefault(kind, {}), f"{kind}.{key} declared twice"
                out[kind][key] = (file, value)
    return out


def jobs(resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]]) -> dict[str, dict[str, Any]]:
    return {key: value for key, (_, value) in resources["jobs"].items()}


def test_every_resource_file_is_included_and_every_resource_fits_its_typed_model(
    bundle: dict[str, Any], resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]]
) -> None:
    assert {p.name for p in resource_files(bundle)} == {p.name for p in (ROOT / "resources").glob("*.yml")}
    models = {"jobs": Job, "schemas": Schema, "volumes": Volume, "dashboards": Dashboard}
    assert set(resources) <= set(models), f"unchecked resource kinds: {set(resources) - set(models)}"
    for kind, items in resources.items():
        for key, (_, value) in items.items():
            # Raises on an unknown field anywhere in the tree (a typo the CLI would reject at deploy).
            model = models[kind].from_dict(value)  # type: ignore[attr-defined]
            assert model is not None, f"{kind}.{key}"


def test_typed_models_reject_a_misspelt_field() -> None:
    """The check above can fail: the models refuse what the bundle schema refuses."""
    with pytest.raises(ValueError, match="python_fil"):
        misspelt: Any = {
            "name": "x",
            "tasks": [{"task_key": "a", "spark_python_task": {"python_fil": "a.py"}}],
        }
        Job.from_dict(misspelt)


def test_targets_dev_is_development_and_prod_runs_as_the_service_principal(bundle: dict[str, Any]) -> None:
    targets = bundle["targets"]
    assert targets["dev"]["mode"] == "development"
    assert targets["dev"].get("default") is True
    assert targets["prod"]["mode"] == "production"
    assert targets["prod"]["run_as"] == {"service_principal_name": "${var.service_principal}"}
    for name in (
        "catalog",
        "raw_location",
        "processed_location",
        "transformed_location",
        "eventhubs_namespace",
        "eventhubs_topic",
        "secret_scope",
        "warehouse_id",
        "service_principal",
    ):
        assert name in bundle["variables"], f"variable {name} missing"


def test_every_variable_and_resource_reference_resolves(
    bundle: dict[str, Any], resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]]
) -> None:
    texts = [(ROOT / "databricks.yml").read_text("utf-8")] + [
        p.read_text("utf-8") for p in resource_files(bundle)
    ]
    for text in texts:
        for name in VARIABLE_REF.findall(text):
            assert name in bundle["variables"], f"${{var.{name}}} is not declared"
        for kind, key in RESOURCE_REF.findall(text):
            assert key in resources.get(kind, {}), f"${{resources.{kind}.{key}}} is not declared"


def test_the_medallion_dag_fans_out_to_three_sql_summaries_then_refreshes_the_dashboard(
    resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]],
) -> None:
    job = jobs(resources)["medallion"]
    assert "continuous" not in job and job["schedule"]["timezone_id"] == "Asia/Kathmandu"
    deps = {t["task_key"]: sorted(d["task_key"] for d in t.get("depends_on", [])) for t in job["tasks"]}
    assert deps == {
        "bronze": [],
        "silver": ["bronze"],
        "gold": ["silver"],
        "branch_summary": ["gold"],
        "product_summary": ["gold"],
        "hourly_summary": ["gold"],
        "refresh_dashboard": ["branch_summary", "hourly_summary", "product_summary"],
    }
    by_key = {t["task_key"]: t for t in job["tasks"]}
    for key in ("bronze", "silver", "gold"):
        params = by_key[key]["spark_python_task"]["parameters"]
        assert params[params.index("--trigger") + 1] == "available-now", key
        assert by_key[key]["max_retries"] >= 1
    for key in ("branch_summary", "product_summary", "hourly_summary"):
        assert set(by_key[key]["sql_task"]) >= {"warehouse_id", "file"}
    assert (
        by_key["refresh_dashboard"]["dashboard_task"]["dashboard_id"]
        == "${resources.dashboards.executive.id}"
    )


def test_a_continuous_job_has_one_task_without_dependencies_on_a_job_cluster(
    resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]],
) -> None:
    continuous = {k: j for k, j in jobs(resources).items() if "continuous" in j}
    assert list(continuous) == ["stream"]
    for key, job in continuous.items():
        assert "schedule" not in job and "trigger" not in job, key
        assert len(job["tasks"]) == 1, f"{key}: a continuous job runs one task"
        task = job["tasks"][0]
        assert "depends_on" not in task, f"{key}: a continuous job cannot have task dependencies"
        assert task["job_cluster_key"] in {c["job_cluster_key"] for c in job["job_clusters"]}
        assert task["spark_python_task"]["python_file"].endswith("tasks/stream.py")


def test_every_file_a_resource_names_exists(
    bundle: dict[str, Any], resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]]
) -> None:
    named: list[Path] = []
    for file, job in resources["jobs"].values():
        for task in job["tasks"]:
            if "spark_python_task" in task:
                named.append(file.parent / task["spark_python_task"]["python_file"])
            if "sql_task" in task and "file" in task["sql_task"]:
                named.append(file.parent / task["sql_task"]["file"]["path"])
    for file, dashboard in resources["dashboards"].values():
        named.append(file.parent / dashboard["file_path"])
    assert len(named) == 8
    missing = [str(p.resolve().relative_to(ROOT)) for p in named if not p.resolve().is_file()]
    assert not missing, f"referenced but missing: {missing}"
    # The shared catalog the tasks read (--catalog-dir) is synced beside the code.
    assert bundle["sync"]["paths"] == [".", "../catalog"]
    assert {p.name for p in (ROOT / "../catalog").resolve().glob("*.csv")} >= {"branches.csv", "menu.csv"}


def resolve_placeholders(value: str, bundle: dict[str, Any]) -> str:
    """A parameter as the deployed job sees it: variables by their defaults, workspace paths by a sample."""
    value = VARIABLE_REF.sub(
        lambda m: str(bundle["variables"][m.group(1)].get("default", f"<{m.group(1)}>")), value
    )
    return value.replace("${workspace.file_path}", "/Workspace/Users/someone/.bundle/brewline/dev/files")


def test_every_task_parameter_parses_with_the_pipelines_own_argument_parser(
    bundle: dict[str, Any], resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]]
) -> None:
    """The bundle and the entry points cannot drift: each task's parameters go through the real parser."""
    from brewline_pipeline.config import parse_args

    parsed = {}
    for key, job in jobs(resources).items():
        for task in job["tasks"]:
            if "spark_python_task" not in task:
                continue
            argv = [resolve_placeholders(str(a), bundle) for a in task["spark_python_task"]["parameters"]]
            parsed[f"{key}.{task['task_key']}"] = parse_args(argv, task["task_key"], "bundle check")
    assert set(parsed) == {"medallion.bronze", "medallion.silver", "medallion.gold", "stream.stream"}
    for name in ("medallion.bronze", "stream.stream"):
        args = parsed[name]
        assert args.brokers == "himalayan-java-pos.servicebus.windows.net:9093"
        assert args.kafka_auth == "service-credential" and args.service_credential == "brewline-eventhubs"
        assert args.secret_scope == "brewline" and args.secret_key == "eventhub-connection-string"
    for name in ("medallion.bronze", "medallion.silver", "medallion.gold"):
        assert parsed[name].available_now, name
        assert parsed[name].catalog == "himalayan_java"
    assert parsed["stream.stream"].trigger_ms == 1000
    assert parsed["medallion.gold"].window_offset_ms == 15 * 60_000


def test_schemas_live_in_their_containers_with_a_checkpoint_volume_and_reader_grants(
    resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]],
) -> None:
    schemas = {k: v for k, (_, v) in resources["schemas"].items()}
    assert set(schemas) == {"bronze", "silver", "gold", "ops"}
    assert schemas["bronze"]["storage_root"].startswith("${var.raw_location}")
    assert schemas["silver"]["storage_root"].startswith("${var.processed_location}")
    assert schemas["ops"]["storage_root"].startswith("${var.processed_location}")
    assert schemas["gold"]["storage_root"].startswith("${var.transformed_location}")
    for name in ("gold", "ops"):
        grants = {g["principal"]: set(g["privileges"]) for g in schemas[name]["grants"]}
        assert grants["${var.readers_group}"] >= {"USE_SCHEMA", "SELECT"}
    volume = resources["volumes"]["checkpoints"][1]
    assert volume["volume_type"] == "MANAGED"
    assert volume["schema_name"] == "${resources.schemas.ops.name}"
    for _, job in resources["jobs"].values():
        for task in job["tasks"]:
            params = task.get("spark_python_task", {}).get("parameters", [])
            if "--checkpoint" in params:
                assert params[params.index("--checkpoint") + 1].startswith(
                    "/Volumes/${var.catalog}/ops/checkpoints/"
                )


def test_event_hubs_is_keyless_first_with_the_secret_scope_as_fallback(
    resources: dict[str, dict[str, tuple[Path, dict[str, Any]]]],
) -> None:
    for key in ("medallion", "stream"):
        task = next(
            t
            for t in jobs(resources)[key]["tasks"]
            if "--source" in t.get("spark_python_task", {}).get("parameters", [])
        )
        params = task["spark_python_task"]["parameters"]
        assert params[params.index("--service-credential") + 1] == "${var.eventhubs_service_credential}"
        assert params[params.index("--secret-scope") + 1] == "${var.secret_scope}"
        assert params[params.index("--brokers") + 1].endswith(".servicebus.windows.net:9093")
        assert not any("SharedAccessKey" in p for p in params)


def sql_files() -> list[Path]:
    return sorted((ROOT / "sql").glob("*.sql"))


def created_tables() -> dict[str, dict[str, str]]:
    """Tables the summary SQL creates, with their output columns (so the dashboard may read them too)."""
    out: dict[str, dict[str, str]] = {}
    for path in sql_files():
        for statement in sqlglot.parse(path.read_text("utf-8"), read="databricks"):
            if isinstance(statement, exp.Create) and isinstance(statement.expression, exp.Query):
                table = statement.this.find(exp.Table)
                assert table is not None
                out[f"{table.db}.{table.name}"] = dict.fromkeys(statement.expression.named_selects, "STRING")
    return out


def nested_schema(tables: dict[str, dict[str, str]]) -> dict[str, object]:
    nested: dict[str, Any] = {}
    for name, columns in tables.items():
        db, table = name.split(".")
        nested.setdefault(db, {})[table] = columns
    return nested


def check_query(sql: str, tables: dict[str, dict[str, str]], where: str) -> None:
    statement = sqlglot.parse_one(sql, read="databricks")
    for table in statement.find_all(exp.Table):
        if not table.db and table.name in {cte.alias for cte in statement.find_all(exp.CTE)}:
            continue
        assert f"{table.db}.{table.name}" in tables, f"{where}: unknown table {table.sql('databricks')}"
    # Raises on any column the tables do not have.
    qualify(statement, schema=nested_schema(tables), dialect="databricks", validate_qualify_columns=True)


@pytest.mark.parametrize("path", sql_files(), ids=lambda p: p.name)
def test_every_sql_file_parses_as_databricks_sql_and_reads_existing_columns(path: Path) -> None:
    statements = sqlglot.parse(
        path.read_text("utf-8"), read="databricks", error_level=sqlglot.ErrorLevel.RAISE
    )
    assert isinstance(statements[0], exp.Use), "each summary starts with USE CATALOG IDENTIFIER(:catalog)"
    creates = [s for s in statements if isinstance(s, exp.Create)]
    assert len(creates) == 1 and isinstance(creates[0].expression, exp.Query)
    check_query(creates[0].expression.sql("databricks"), DOMAIN_TABLES, path.name)


def test_the_sql_check_can_fail() -> None:
    with pytest.raises(sqlglot.errors.ParseError):
        sqlglot.parse("SELECT FROM WHERE (", read="databricks", error_level=sqlglot.ErrorLevel.RAISE)
    with pytest.raises(sqlglot.errors.OptimizeError):
        check_query("SELECT no_such_column FROM gold.hourly_sales", DOMAIN_TABLES, "probe")
    with pytest.raises(AssertionError, match="unknown table"):
        check_query("SELECT 1 FROM gold.no_such_table", DOMAIN_TABLES, "probe")


def test_the_dashboard_reads_existing_tables_and_every_widget_its_own_datasets() -> None:
    doc = json.loads((ROOT / "dashboards" / "executive.lvdash.json").read_text("utf-8"))
    tables = {**DOMAIN_TABLES, **created_tables()}
    datasets = {d["name"]: "".join(d["queryLines"]) for d in doc["datasets"]}
    read = set()
    for name, sql in datasets.items():
        check_query(sql, tables, f"dataset {name}")
        read |= {f"{t.db}.{t.name}" for t in sqlglot.parse_one(sql, read="databricks").find_all(exp.Table)}
    assert {
        "gold.branch_revenue",
        "gold.product_popularity",
        "gold.hourly_sales",
        "ops.stream_progress",
    } <= read
    assert "Asia/Kathmandu" in datasets["hourly_sales_npt"]
    pages = {p["name"]: p for p in doc["pages"]}
    assert set(pages) == {"sales", "stream_health"}
    for page in pages.values():
        for item in page["layout"]:
            widget = item["widget"]
            for query in widget["queries"]:
                dataset = query["query"]["datasetName"]
                assert dataset in datasets, f"widget {widget['name']} reads unknown dataset {dataset}"
                names = {f["name"] for f in query["query"]["fields"]}
                for encoding in widget["spec"]["encodings"].values():
                    assert encoding["fieldName"] in names, f"widget {widget['name']}: {encoding['fieldName']}"
    health = {i["widget"]["queries"][0]["query"]["datasetName"] for i in pages["stream_health"]["layout"]}
    assert health == {"stream_progress"}
