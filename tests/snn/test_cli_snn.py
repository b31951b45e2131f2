"""``neurosys snn``: the seed network and COBA from the terminal."""

from neurosys.cli import main


def test_seed_network_prints_rates(capsys):
    assert main(["snn", "--duration", "0.1", "--chunk", "0.05", "--neurons", "200"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[2:]]
    assert len(rows) == 2 and float(rows[-1][0]) == 0.1
    assert all(float(r[1]) >= 0 for r in rows)


def test_coba_prints_rates(capsys):
    assert main(["snn", "coba", "--duration", "0.1", "--neurons", "1000"]) == 0
    out = capsys.readouterr().out
    assert "COBA: 1000 neurons" in out
    assert float(out.splitlines()[-1].split()[1]) > 0


def test_bad_duration_is_an_error(capsys):
    assert main(["snn", "--duration", "0"]) == 2
    assert "--duration" in capsys.readouterr().err
