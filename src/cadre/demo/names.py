"""Given and family names for demo people, grouped by the region where they are common.

Each location of the demo organisation names the region most of its people come from; the
rest are drawn from any region, as in any international company. The lists are written for
Cadre and are deliberately varied: accents are kept (the e-mail addresses drop them).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NamePool:
    given: tuple[str, ...]
    family: tuple[str, ...]


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


NAME_POOLS: dict[str, NamePool] = {
    "anglophone": NamePool(
        given=_names(
            "Oliver, Amelia, James, Charlotte, Jack, Emily, Harry, Sophie, Thomas, Grace, "
            "Daniel, Hannah, Samuel, Chloe, Joseph, Lucy, Benjamin, Olivia, William, "
            "Katherine, Alexander, Elizabeth, Christopher, Rebecca, Jonathan, Margaret, "
            "Michael, Sarah, Matthew, Jessica, Andrew, Laura, Nicholas, Rachel, Patrick, "
            "Megan, Ryan, Zoe, Liam, Ava, Aidan, Siobhan, Malik, Keisha, Darnell, Imani"
        ),
        family=_names(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, "
            "Wright, Thompson, Evans, Walker, White, Roberts, Green, Hall, Wood, Jackson, "
            "Clarke, Murphy, O'Brien, Campbell, Anderson, Mitchell, Harris, Martin, Thomas, "
            "Lewis, Clark, Young, King, Scott, Baker, Hughes, Edwards, Turner, Cooper, "
            "Kelly, Morgan, MacDonald, Fitzgerald, Washington, Okafor, Adeyemi, Boateng"
        ),
    ),
    "germanic": NamePool(
        given=_names(
            "Lukas, Leon, Felix, Jonas, Maximilian, Paul, Elias, Finn, Niklas, Tobias, Mia, "
            "Emma, Hannah, Lea, Lena, Anna, Sophie, Laura, Johanna, Katharina, Julia, "
            "Marie, Sebastian, Florian, Matthias, Stefanie, Sabine, Andreas, Jürgen, "
            "Ursula, Emre, Aylin, Can, Selin"
        ),
        family=_names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Koch, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, "
            "Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, Meier, "
            "Lehmann, Köhler, Vogel, Yılmaz, Demir, Kaya, Öztürk"
        ),
    ),
    "polish": NamePool(
        given=_names(
            "Jakub, Kacper, Szymon, Mateusz, Piotr, Tomasz, Krzysztof, Paweł, Michał, "
            "Łukasz, Zuzanna, Julia, Maja, Zofia, Aleksandra, Katarzyna, Agnieszka, "
            "Magdalena, Joanna, Małgorzata, Marta, Ewa, Wojciech, Bartosz"
        ),
        # Family names that keep one form for everyone (no -ski/-ska pairs).
        family=_names(
            "Nowak, Wójcik, Kowalczyk, Woźniak, Mazur, Krawczyk, Kaczmarek, Zając, Król, "
            "Wieczorek, Wróbel, Stępień, Adamczyk, Dudek, Pawlak, Walczak, Sikora, Baran, "
            "Michalak, Szewczyk"
        ),
    ),
    "lusophone": NamePool(
        given=_names(
            "Gabriel, Lucas, Mateus, Pedro, Rafael, Gustavo, Felipe, João, Thiago, Bruno, "
            "Rodrigo, Vinícius, Ana, Beatriz, Mariana, Juliana, Camila, Larissa, Fernanda, "
            "Letícia, Gabriela, Isabela, Luiza, Renata, Carolina, Kenji, Yumi"
        ),
        family=_names(
            "Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, "
            "Gomes, Costa, Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, "
            "Vieira, Barbosa, Rocha, Dias, Nascimento, Moreira, Cardoso, Nakamura, Haddad"
        ),
    ),
    "hispanic": NamePool(
        given=_names(
            "Santiago, Mateo, Sebastián, Diego, Emiliano, Alejandro, Daniel, Eduardo, "
            "Carlos, Javier, Ximena, Valentina, Regina, Sofía, Camila, Fernanda, Guadalupe, "
            "Mariana, Daniela, Andrea, Lucía, Paola, Alejandra, Itzel, Citlali, Joaquín"
        ),
        family=_names(
            "Hernández, García, Martínez, López, González, Pérez, Rodríguez, Sánchez, "
            "Ramírez, Cruz, Flores, Gómez, Morales, Vázquez, Reyes, Jiménez, Torres, Díaz, "
            "Gutiérrez, Ruiz, Mendoza, Aguilar, Ortiz, Castillo, Romero"
        ),
    ),
    "indian": NamePool(
        given=_names(
            "Aarav, Vihaan, Arjun, Aditya, Rohan, Karthik, Rahul, Vikram, Siddharth, "
            "Pranav, Nikhil, Deepak, Suresh, Ramesh, Ananya, Diya, Priya, Kavya, Aishwarya, "
            "Meera, Lakshmi, Divya, Neha, Sneha, Pooja, Shreya, Harini, Farhan, Zara, "
            "Gurpreet"
        ),
        family=_names(
            "Sharma, Patel, Reddy, Nair, Iyer, Rao, Gupta, Kumar, Singh, Menon, Krishnan, "
            "Pillai, Desai, Joshi, Mehta, Bhat, Shetty, Hegde, Kulkarni, Agarwal, "
            "Chatterjee, Banerjee, Mukherjee, Verma, Naidu, Khan, D'Souza"
        ),
    ),
    "southeast_asian": NamePool(
        given=_names(
            "Wei Ling, Jun Jie, Hui Min, Zhi Hao, Xin Yi, Jia Hui, Kai Xiang, Mei Ling, "
            "Aisyah, Farhan, Hafiz, Syafiqah, Nurul, Ravi, Kavitha, Devi, Rajesh, Arun, "
            "Ethan, Chloe, Marcus, Rachel, Minh Anh, Thanh, Siti"
        ),
        family=_names(
            "Tan, Lim, Lee, Ng, Ong, Wong, Goh, Chua, Chan, Koh, Teo, Ang, Yeo, Tay, Ho, "
            "Low, Toh, Sim, Rahman, Ismail, Hassan, Abdullah, Subramaniam, Nguyen, Tran"
        ),
    ),
    "japanese": NamePool(
        given=_names(
            "Haruto, Yuto, Sota, Yuki, Hiroshi, Takashi, Kenji, Daiki, Ren, Sho, Yui, Aoi, "
            "Hina, Sakura, Yuna, Mio, Haruka, Akiko, Naomi, Emi, Keiko, Misaki"
        ),
        family=_names(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, "
            "Kato, Yoshida, Yamada, Sasaki, Yamaguchi, Matsumoto, Inoue, Kimura, Hayashi, "
            "Shimizu, Mori"
        ),
    ),
    "east_african": NamePool(
        given=_names(
            "Brian, Kevin, Dennis, Collins, Victor, Samuel, Eric, Ian, Baraka, Amani, "
            "Faith, Mercy, Esther, Joy, Purity, Sharon, Caroline, Wanjiru, Achieng, Njeri, "
            "Zawadi, Halima"
        ),
        family=_names(
            "Kamau, Otieno, Mwangi, Ochieng, Wanjiku, Kariuki, Njoroge, Odhiambo, Kiprono, "
            "Cheruiyot, Mutua, Wambui, Omondi, Kimani, Njuguna, Muthoni, Onyango, Kipchoge, "
            "Mutiso, Abdi"
        ),
    ),
}

# Short forms some people go by; they become the person's preferred name.
SHORT_NAMES: dict[str, str] = {
    "Alexander": "Alex",
    "Katherine": "Kate",
    "Elizabeth": "Liz",
    "Christopher": "Chris",
    "Jonathan": "Jon",
    "Margaret": "Maggie",
    "Michael": "Mike",
    "Matthew": "Matt",
    "Nicholas": "Nick",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "William": "Will",
    "Rebecca": "Becky",
    "Daniel": "Dan",
    "Joseph": "Joe",
    "Andrew": "Andy",
    "Patrick": "Pat",
    "Maximilian": "Max",
    "Katharina": "Kathi",
    "Johanna": "Jo",
    "Aleksandra": "Ola",
    "Katarzyna": "Kasia",
    "Małgorzata": "Gosia",
    "Magdalena": "Magda",
    "Agnieszka": "Aga",
    "Wojciech": "Wojtek",
    "Rafael": "Rafa",
    "Vinícius": "Vini",
    "Isabela": "Isa",
    "Guadalupe": "Lupe",
    "Alejandro": "Álex",
    "Alejandra": "Ale",
    "Eduardo": "Lalo",
    "Siddharth": "Sid",
    "Aishwarya": "Aish",
    "Kai Xiang": "Kai",
    "Jun Jie": "Jay",
}
