"""Recognition rules, one invented sentence each, against the real gazetteer."""
from __future__ import annotations

import pytest

from geo.recognize import Recognizer, Span


@pytest.fixture(scope="module")
def rec(gazetteer_db):
    return Recognizer(gazetteer_db)


def texts(spans, kind=None):
    return [s.text for s in spans if kind is None or s.kind == kind]


def test_empty_and_placeless_text(rec):
    assert rec("") == []
    assert rec("nothing to see here, only lower-case words.") == []


def test_offsets_are_python_str_offsets(rec):
    text = "Café owners in São Paulo met ministers from Brazil."
    spans = rec(text)
    for s in spans:
        assert isinstance(s, Span)
        assert text[s.start:s.end] == s.text
    assert texts(spans) == ["São Paulo", "Brazil"]


def test_multiword_names(rec):
    spans = rec("Flooding hit Rio de Janeiro, while fires burned in New South Wales.")
    assert texts(spans) == ["Rio de Janeiro", "New South Wales"]


def test_leading_the_is_not_part_of_the_span(rec):
    text = "He flew to the United States and then to the Netherlands."
    spans = rec(text)
    assert texts(spans)[0] == "United States"
    assert text[spans[0].start - 4:spans[0].start] == "the "


def test_city_comma_state_abbreviation_gives_two_mentions(rec):
    spans = rec("She grew up in Springfield, Ill., and later moved to Paris, Texas.")
    assert texts(spans) == ["Springfield", "Ill.", "Paris", "Texas"]


def test_abbreviations_keep_their_full_stops(rec):
    spans = rec("U.S. and UK officials met envoys from the UAE and the DPRK.")
    assert texts(spans) == ["U.S.", "UK", "UAE", "DPRK"]


def test_possessives_are_cut(rec):
    spans = rec("South Korea\u2019s navy and Japan's coast guard trained together.")
    assert texts(spans) == ["South Korea", "Japan"]


def test_all_caps_dateline(rec):
    spans = rec("SEOUL, South Korea \u2014 Officials met on Tuesday.")
    assert texts(spans) == ["SEOUL", "South Korea"]
    spans = rec("Fire kills two. HAMMOND, Ind. (AP) \u2014 Two people died.")
    assert texts(spans) == ["HAMMOND", "Ind."]


def test_hyphenated_pairs_give_two_mentions(rec):
    spans = rec("The US-ROK alliance and Egypt-Israel talks continued.")
    assert texts(spans) == ["US", "ROK", "Egypt", "Israel"]


def test_hyphenated_brand_is_not_a_place(rec):
    assert "Mart" not in " ".join(texts(rec("Shoppers crowded the Wal-Mart on Friday.")))


def test_people_are_not_places(rec):
    text = ("Defense Secretary Lloyd Austin met Paris Hilton in the lobby. "
            "Austin said the meeting was brief.")
    assert rec(text) == []


def test_a_town_spelt_like_a_given_name_before_its_people(rec):
    # "Paris Hilton" is a person (above); "Paris Police" are the town's
    text = "Smoke filled the store. Four Paris Policemen and Paris Firefighters helped."
    assert texts(rec(text)) == ["Paris", "Paris"]


def test_a_town_spelt_like_a_stop_word_when_a_state_or_a_generic_names_it(rec):
    text = "The blast in West, Texas, shook homes. West residents returned on Friday."
    assert texts(rec(text)) == ["West", "Texas", "West"]
    text = "Teams from Baker, Union and Liberty counties will compete."
    assert texts(rec(text)) == ["Baker", "Union", "Liberty"]
    # an organisation named after the state is no such evidence
    assert texts(rec("Police, Texas Rangers and deputies arrived.")) == ["Texas"]
    assert texts(rec("Officials from the West, the report said.")) == []


def test_titles_mark_people(rec):
    assert rec("Sen. Warner and Mr. Lincoln spoke after Gov. Houston left.") == []


def test_surname_after_a_middle_initial(rec):
    assert rec("Officer Ray B. Horton arrived. Horton said nothing.") == []


def test_ships_are_not_places(rec):
    spans = rec("The submarine Missouri docked beside the USS Texas. Missouri left at dawn.")
    assert spans == []


def test_streets_are_not_their_namesakes(rec):
    spans = rec("A fire broke out on Leeds Road near Maple St. last night.")
    assert texts(spans) == ["Leeds Road", "Maple St."]
    spans = rec("Crews closed Route 66 and Main Street in Ohio.")
    assert texts(spans) == ["Route 66", "Main Street", "Ohio"]


def test_streets_can_be_switched_off(gazetteer_db):
    r = Recognizer(gazetteer_db, streets=False)
    assert texts(r("A fire broke out on Leeds Road in Ohio.")) == ["Ohio"]


def test_saints_institutions_are_not_places(rec):
    assert rec("Pupils of St. Mary's School marked St. Patrick's Day.") == []


def test_organisation_heads_are_not_streets(rec):
    assert texts(rec("The Nevada Highway Patrol said so.")) == ["Nevada"]


def test_calendar_and_common_words(rec):
    assert rec("In March, Police said on Monday that Hope and Union were tired.") == []


def test_place_inside_an_organisation_name_is_kept(rec):
    spans = rec("The Springfield Police Department and the Texas Department of Transportation said so.")
    assert texts(spans) == ["Springfield", "Texas"]


def test_organisation_words_alone_are_not_places(rec):
    assert rec("Ministry of National Defense officials briefed the Agency.") == []


def test_acronyms_are_not_places(rec):
    assert rec("The FBI and NATO issued statements about AIDS research.") == []


def test_small_town_needs_support_at_sentence_start(rec):
    # "Normal" (Illinois) is a capitalised word at the start of a sentence ...
    assert rec("Normal people do not read this.") == []
    # ... but a place where prose capitalises it for no other reason
    spans = rec("Normal people do not read this. He moved to Normal last year.")
    assert texts(spans) == ["Normal", "Normal"]


def test_demonyms_are_their_own_kind(rec, gazetteer_db):
    text = "South Korean and American troops met Russians near the border."
    spans = rec(text)
    assert [(s.text, s.kind) for s in spans] == [
        ("South Korean", "demonym"), ("American", "demonym"), ("Russians", "demonym")]
    assert Recognizer(gazetteer_db, demonyms=False)(text) == []


def test_non_latin_scripts_where_the_gazetteer_has_them(rec):
    spans = rec("会议在 東京 举行。Встреча прошла в Москва .")
    assert "東京" in texts(spans)
    assert "Москва" in texts(spans)


def test_spans_sorted_and_disjoint_on_a_longer_text(rec):
    text = ("WASHINGTON \u2014 The United States and South Korea held talks in Seoul, "
            "while officials in Tokyo, Japan, and Beijing watched. The Korean Peninsula "
            "remained calm. Later, delegates flew from Busan to Los Angeles, Calif.")
    spans = rec(text)
    assert spans == sorted(spans, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    assert texts(spans) == ["WASHINGTON", "United States", "South Korea", "Seoul", "Tokyo",
                            "Japan", "Beijing", "Korean Peninsula", "Busan", "Los Angeles",
                            "Calif."]


def test_given_names_need_a_locative_context(rec):
    assert rec("Kate met Linda yesterday.") == []


def test_eras_and_initials_are_not_places(rec):
    assert rec("The mound was built around 250 B.C. by people J.R. Vostrel studied.") == []


def test_demonyms_derived_from_place_names(rec):
    spans = rec("Talks between Georgian and South Ossetian officials resumed; a gunman fled.")
    assert [(s.text, s.kind) for s in spans] == [("Georgian", "demonym"),
                                                 ("South Ossetian", "demonym")]


def test_elided_articles_and_list_support(rec):
    spans = rec("Cases rose in C\u00f4te d'Ivoire. Crews from Sydney, Parkes, Berry and Wyong helped.")
    assert texts(spans) == ["C\u00f4te d'Ivoire", "Sydney", "Parkes", "Berry", "Wyong"]


def test_country_known_by_an_alternate_name_at_sentence_start(rec):
    assert texts(rec("Netherlands has never had a case.")) == ["Netherlands"]


def test_firms_joined_by_ampersand(rec):
    assert rec("The design firm Harper & Lowe billed the city.") == []
    assert texts(rec("Flights to Trinidad & Tobago resumed.")) == ["Trinidad", "Tobago"]


def test_title_at_a_sentence_end_does_not_make_the_next_word_a_person(rec):
    spans = rec("Hyles won the race for Municipal Court Judge. Columbus voters agreed.")
    assert "Columbus" in texts(spans)


def test_currencies_diseases_and_newspapers(rec):
    text = ("A US$460 million fund fights West Nile virus and Marburg fever, the New York Times "
            "and the Times of London reported from Kenya.")
    assert texts(rec(text)) == ["Kenya"]


def test_job_titles_mark_people(rec):
    text = "Managing Director Bo Ryan said safety came first in Australia. Ryan said more."
    assert texts(rec(text)) == ["Australia"]


def test_hyphenated_based_and_sentence_boundaries_after_names(rec):
    spans = rec("The London-based charity met envoy George Mitchell. U.S. officials said so.")
    assert texts(spans) == ["London", "U.S."]


def test_a_countrys_people_word_is_a_demonym_even_where_an_area_shares_it(rec):
    spans = rec("German engineers met Somali traders; the aid reached families in Somali.")
    assert [(s.text, s.kind) for s in spans] == [
        ("German", "demonym"), ("Somali", "demonym"), ("Somali", "place")]


def test_storm_names_and_storm_words_are_not_places(rec):
    spans = rec("Typhoon Haiyan struck the Philippines after Cyclone Tracy hit Queensland. "
                "The motel is in Hurricane, Utah.")
    assert texts(spans) == ["Philippines", "Queensland", "Hurricane", "Utah"]


def test_two_letter_title_case_words_need_a_locative_frame(rec):
    spans = rec("The patient, surnamed Lu, was moved to a clinic in Beijing.")
    assert texts(spans) == ["Beijing"]


def test_a_former_areas_name_is_not_significant_on_its_own(rec):
    # Lorraine (a former French region) is also a given name: a person here
    text = "Lorraine Smith, a nurse, said the ward was full. Floods reached towns in Lorraine."
    spans = rec(text)
    assert [(s.text, s.start) for s in spans] == [("Lorraine", text.rindex("Lorraine"))]


def test_a_minor_places_name_before_a_persons_verb_is_a_person_all_article_long(rec):
    text = ("Kinsley died on Monday at the age of 81. Friends said Kinsley had served "
            "the union for decades. The Carter administration sent a letter to Wichita.")
    assert texts(rec(text)) == ["Wichita"]
    # a locative frame keeps the place, and major places keep their metonymy
    assert texts(rec("Seoul warned Tokyo. Workers in Kinsley went home.")) == [
        "Seoul", "Tokyo", "Kinsley"]


def test_peoples_and_faiths_spelt_like_small_places_are_not_places(rec):
    text = "Arab leaders and Christian groups met Baptist pastors in Huntsville, Alabama."
    assert texts(rec(text)) == ["Huntsville", "Alabama"]


def test_a_common_word_names_a_major_place_only_as_a_country_city_or_curated_feature(rec):
    text = ("The Region 9 water board met downtown. Officials of the North Coast Rail district "
            "spoke. Ships crossed the Pacific to Nice.")
    assert texts(rec(text)) == ["Pacific", "Nice"]
    assert texts(rec("Flooding hit towns across the Coast, Kenya.")) == ["Coast", "Kenya"]


def test_caps_dateline_closed_by_a_dash_without_spaces(rec):
    assert texts(rec("MILLBROOK\u2014The school board met in New York.")) == [
        "MILLBROOK", "New York"]


def test_state_route_numbers_and_state_abbreviations_as_adjectives(rec):
    text = "A crash closed NC 55 near Raleigh. A Mass. software maker bought the mill."
    assert texts(rec(text)) == ["NC 55", "Raleigh", "Mass."]
    assert texts(rec("Senator Jane Doe, D-Mich, spoke.")) == ["Mich"]


def test_local_news_frames_support_small_towns(rec):
    # "Shelby" is a given name and "Hartley" a surname: the frames make them towns
    text = ("Hartley couple faces charges. Welders Ann Ruiz of Shelby and Dan Ortiz "
            "spoke. Officials of Mission said no.")
    assert texts(rec(text)) == ["Hartley", "Shelby"]


def test_a_place_before_words_about_an_illness_is_still_a_place(rec):
    text = ("Two dogs from Victoria showed flu-like signs. The West Nile virus and the "
            "H5N1 bird flu reached Peru with fever reported.")
    assert texts(rec(text)) == ["Victoria", "Peru"]


def test_a_country_ends_an_organisations_name(rec):
    text = "Staff of Save the Children Kenya said aid would travel to sub-Saharan Africa."
    assert texts(rec(text)) == ["Kenya", "Africa"]


def test_natural_features_named_by_a_generic_word_are_recognised_whole(rec):
    text = ("Flooding on the Zorvek River closed roads near Lake Quenby and the Tarsel "
            "Islands. Students at Lake Forest College met near Clear Lake. Lake Erie froze.")
    found = texts(rec(text))
    assert found[:3] == ["Zorvek River", "Lake Quenby", "Tarsel Islands"]
    assert "Lake Forest College" not in found and "Lake Forest" in found  # a town, by convention
    assert "Clear Lake" in found and "Lake Erie" in found
    assert texts(rec("Voters in Lawrence Township, New Jersey, approved it.")) == [
        "Lawrence Township", "New Jersey"]
    assert texts(rec("Anglers fished the River Quenby near Lancaster.")) == [
        "River Quenby", "Lancaster"]


def test_a_major_place_after_another_capitalised_word_is_still_a_place(rec):
    text = "Visitors filled Historic Savannah. Marisol Ann Henry was charged."
    assert texts(rec(text)) == ["Savannah"]


def test_disease_names_in_any_case_hide_their_place_word(rec):
    text = "Zika Virus reached Florida. Officials said West Nile [virus] cases rose in Ohio."
    assert texts(rec(text)) == ["Florida", "Ohio"]


def test_peoples_words_used_for_languages_cuisines_or_ancestry_are_not_mentions(rec):
    text = ("He spoke only German and later learned Italian. The show airs in Portuguese. "
            "Greek food and Scottish heritage drew crowds; Spanish-speaking volunteers helped. "
            "Turkish troops crossed into the Syrian-held towns.")
    assert [(s.text, s.kind) for s in rec(text)] == [("Turkish", "demonym"), ("Syrian", "demonym")]


def test_more_local_news_frames(rec):
    text = ("Delegates Mary Stone, R-Logan, and Paul Diaz, 41, of Bristow spoke. "
            "The farm is 30 miles northwest of Galva. Normal police ticketed drivers.")
    found = texts(rec(text))
    assert {"Logan", "Bristow", "Galva", "Normal"} <= set(found)


def test_names_starting_with_an_article_or_particle(rec):
    text = "Flights from El Paso and La Paz reached Des Moines, Le Mans and Van Buren County."
    assert texts(rec(text)) == ["El Paso", "La Paz", "Des Moines", "Le Mans", "Van Buren County"]
    assert texts(rec("In Paris, officials met.")) == ["Paris"]


def test_a_small_places_name_inside_a_run_of_unknown_capitalised_words_is_a_persons(rec):
    # before an unknown capitalised word ("Tilden Vantrell"), after one ("Marquise
    # Kinsley"), or next to another small place's name ("Tilden Kinsley"): a person
    assert texts(rec("Tilden Vantrell and Marquise Kinsley spoke at the fair in Wichita.")) == [
        "Wichita"]
    assert texts(rec("Officers questioned Tilden Kinsley on Friday in Wichita.")) == ["Wichita"]
    assert texts(rec("The home of Tilden Vantrell is in Wichita.")) == ["Wichita"]
    # the same town in a locative frame stays a place, and so do names places take
    text = "Tilden Vantrell lives in Tilden."
    assert [(s.text, s.start) for s in rec(text)] == [("Tilden", text.rindex("Tilden"))]
    assert texts(rec("Kinsley Reservoir and Tilden Valley were dry; Kinsley police said so.")) == [
        "Kinsley Reservoir", "Tilden Valley", "Kinsley"]


def test_a_list_ended_by_a_plural_generic_word_supports_its_names(rec):
    # "Banner" and "Garden" alone are common words; a list of counties makes them names
    assert texts(rec("Floods hit Banner and Garden counties in Nebraska.")) == [
        "Banner", "Garden", "Nebraska"]


def test_a_countys_court_is_no_street(rec):
    # "Court" ends street names ("Kinsley Court"), but a county's court names the county
    assert texts(rec("She appeared in Coshocton County Court on Friday.")) == ["Coshocton County"]
    assert texts(rec("He lives on Kinsley Court in Wichita.")) == ["Wichita"]


def test_a_country_known_by_an_alternate_name_is_no_surname_before_said(rec):
    # "Netherlands said" is the country speaking ("The Netherlands" is its name)
    assert texts(rec("Yesterday the Netherlands said it would close the farms.")) == ["Netherlands"]


def test_text_in_lower_case_still_names_well_known_places(rec):
    text = "floods hit dhaka and chittagong on monday, bangladesh officials said."
    spans = rec(text)
    assert texts(spans) == ["dhaka", "chittagong", "bangladesh"]
    assert all(text[s.start:s.end] == s.text for s in spans)   # offsets into the original
    text = "we flew from new york to rio de janeiro and then to south korea"
    assert texts(rec(text)) == ["new york", "rio de janeiro", "south korea"]


def test_lower_case_words_stay_words_unless_a_country_or_a_great_city(rec):
    # "nice" and "reading" are words first; "china" and "paris" are read as the places
    text = "such nice weather for reading in the park, then tea from china in paris"
    assert texts(rec(text)) == ["china", "paris"]


def test_prose_with_capitals_is_not_recased(rec):
    # normal prose: lower-case "china" is the porcelain, not the country
    assert texts(rec("Officials in Dhaka said the fine china was sold.")) == ["Dhaka"]


def test_a_firm_named_in_the_possessive_is_not_a_place(rec):
    text = ("He ate at a McDonald's restaurant in Auckland. McDonald's is recalling the "
            "burgers, a spokeswoman for McDonald's, said. McDonald's mayor was not there.")
    assert texts(rec(text)) == ["Auckland", "McDonald"]   # a town's mayor: its place


def test_a_small_place_named_in_a_disease_of_two_words(rec):
    assert texts(rec("It is the third case of Mad Cow disease in Texas.")) == ["Texas"]
    assert texts(rec("Cases of Kasongo Hill fever were reported in Texas.")) == ["Texas"]
    # a country keeps its place before a disease's name
    assert texts(rec("Guinea Ebola virus outbreak grows")) == ["Guinea"]


def test_a_small_place_known_only_by_an_alternate_name_needs_support(rec):
    # "Google" was Topeka's name for a month, "Salonika" is Thessaloniki's old English one
    assert texts(rec("Apple CEO Tim Cook spoke. Amazon and Google were also there.")) == []
    assert texts(rec("Salonika and Kuster shared the prize.")) == []
    assert texts(rec("The ferry sailed to Salonika at dawn.")) == ["Salonika"]


def test_a_kind_of_place_before_a_name_supports_it(rec):
    assert texts(rec("Floods hit the town of Uzhgorod. Uzhgorod schools closed.")) == \
        ["Uzhgorod", "Uzhgorod"]
    assert texts(rec("Rebels held the regional capital Chernigov.")) == ["Chernigov"]
    assert texts(rec("Two bodies were found in a Rovno lake.")) == ["Rovno"]


def test_the_organisation_that_says_is_no_town(rec):
    text = "Heavy rains killed 12 people in western Kenya, the Red Cross said."
    assert texts(rec(text)) == ["Kenya"]


def test_names_inside_chinese_japanese_and_korean_runs(rec):
    text = "北京和上海的官员周一在东京会面。"
    spans = rec(text)
    assert texts(spans) == ["北京", "上海", "东京"]
    assert all(text[s.start:s.end] == s.text for s in spans)
    assert texts(rec("서울에서 부산까지 기차로 갔다.")) == ["서울", "부산"]   # particles glued on
    assert texts(rec("大阪と京都で地震があった。")) == ["大阪", "京都"]
    assert texts(rec("北京")) == ["北京"]   # a whole token that is a name: once


def test_unspaced_runs_mixed_with_latin_text(rec):
    text = "Officials from Seoul (서울) and Busan met in 东京 on Monday."
    assert texts(rec(text)) == ["Seoul", "서울", "Busan", "东京"]


def test_a_plural_street_word_names_every_street_of_a_list(rec):
    text = "Crews worked at Dunmore and Pellham streets, then between Fourth and Elm roads."
    assert texts(rec(text)) == ["Dunmore", "Pellham", "Elm"]
    # a name of several words is not cut into one-word streets
    assert "Falls" not in texts(rec("The lane at Cedar Falls and Dunmore roads closed."))


def test_names_the_gazetteer_lacks_in_a_frame_that_makes_them_places(rec):
    text = "Birds died in the village of Qwertbury in Fife. Later, in Zorbuton, Texas, a swan."
    assert texts(rec(text)) == ["Qwertbury", "Fife", "Zorbuton", "Texas"]
    text = "Nine died in the Zorbu slums of Nairobi and in the Qwertu district."
    assert texts(rec(text)) == ["Zorbu", "Nairobi", "Qwertu"]
    # no state or country closes the phrase: names, not places
    assert texts(rec("The award went to Qwertbury, Zorbuton and Pell.")) == []
    assert "Qwertbury" not in texts(rec("It came from Qwertbury, Texas Instruments said."))
