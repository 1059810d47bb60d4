import pytest

from crawler.sites import SiteConfigError, load_sites, select_sites


def write(tmp_path, text):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_entries_and_defaults_domains_to_base_host(tmp_path):
    path = write(tmp_path, '[[site]]\nname = "a"\nbase_url = "http://127.0.0.11:8400/"\n'
                           '[[site]]\nname = "b"\nbase_url = "https://b.example/"\nallowed_domains = ["b.example"]\n'
                           'article_pattern = "/news/\\\\d+"\n')
    sites = load_sites(path)
    assert list(sites) == ["a", "b"]
    assert sites["a"].allowed_domains == ("127.0.0.11",)
    assert sites["a"].in_scope("http://127.0.0.11:8400/x") and not sites["a"].in_scope("http://127.0.0.12:8400/x")
    assert sites["b"].in_scope("https://www.b.example/news/1")
    assert sites["b"].looks_like_article_url("https://b.example/news/12") is True
    assert sites["b"].looks_like_article_url("https://b.example/tag/x") is False
    assert sites["a"].looks_like_article_url("http://127.0.0.11:8400/x") is None


@pytest.mark.parametrize("body, message", [
    ('[[site]]\nname = "a"\n', "'base_url' is required"),
    ('[[site]]\nname = "A B"\nbase_url = "http://x/"\n', "must be lower-case"),
    ('[[site]]\nname = "a"\nbase_url = "ftp://x/"\n', "not an http(s) URL"),
    ('[[site]]\nname = "a"\nbase_url = "http://x/"\nfeed = []\n', "unknown key(s) feed"),
    ('[[site]]\nname = "a"\nbase_url = "http://x/"\narticle_pattern = "("\n', "not a valid regex"),
    ('[[site]]\nname = "a"\nbase_url = "http://x/"\n[[site]]\nname = "a"\nbase_url = "http://y/"\n', "defined twice"),
    ('name = ', "sites.toml"),
    ('', "no [[site]] entries"),
])
def test_bad_config_names_file_and_problem(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(SiteConfigError) as info:
        load_sites(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_select_unknown_site_lists_configured_ones(tmp_path):
    sites = load_sites(write(tmp_path, '[[site]]\nname = "a"\nbase_url = "http://x/"\n'))
    assert [s.name for s in select_sites(sites, [])] == ["a"]
    with pytest.raises(SiteConfigError, match="unknown site\\(s\\): zz; configured: a"):
        select_sites(sites, ["zz"])
